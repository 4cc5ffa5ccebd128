// The configured eMAG account names (from api/status), fetched once and
// shared by every page's account picker.
import { useEffect, useState } from "preact/hooks";
import { api } from "./api.js";
import { retryTick } from "./errors.js";
import { useObservable } from "./observable.js";

let cached = null;

function load() {
  if (!cached) {
    cached = api.get("status").then(
      (s) => (s?.accounts || []).map((a) => a.name),
      (e) => {
        cached = null; // try again next time
        throw e;
      }
    );
  }
  return cached;
}

export function useAccounts() {
  const tick = useObservable(retryTick);
  const [names, setNames] = useState(null);
  useEffect(() => {
    let live = true;
    load().then((n) => live && setNames(n), () => live && setNames([]));
    return () => {
      live = false;
    };
  }, [tick]);
  return names;
}
