// Loads data for a page and reloads it when its inputs change or when the
// user presses "retry" on the error banner. Errors reach the banner through
// api.js; the page only learns that loading failed.
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { retryTick } from "./errors.js";
import { useObservable } from "./observable.js";

export function useFetch(load, deps, { enabled = true } = {}) {
  const tick = useObservable(retryTick);
  const [state, setState] = useState({ data: null, error: null, loading: enabled });
  const [nonce, setNonce] = useState(0);
  const seq = useRef(0);

  // What the shown data answers: a reload of the same inputs that fails may
  // keep showing it (the banner says why), but rows of other filters never
  // stand under new ones.
  const key = JSON.stringify(deps);
  useEffect(() => {
    if (!enabled) return undefined;
    const mine = ++seq.current;
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true }));
    load(ctl.signal).then(
      (data) => mine === seq.current && setState({ data, key, error: null, loading: false }),
      (error) => {
        if (error?.name === "AbortError" || mine !== seq.current) return;
        setState((s) => ({ data: s.key === key ? s.data : null, key: s.key === key ? key : null, error, loading: false }));
      }
    );
    return () => ctl.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key, tick, nonce, enabled]);

  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const setData = useCallback((f) => setState((s) => ({ ...s, data: typeof f === "function" ? f(s.data) : f })), []);
  return { ...state, reload, setData };
}

// Calls fn every `ms` while the component is shown (and the tab visible).
export function useInterval(fn, ms, active = true) {
  const saved = useRef(fn);
  saved.current = fn;
  useEffect(() => {
    if (!active || !ms) return undefined;
    const id = setInterval(() => {
      if (!document.hidden) saved.current();
    }, ms);
    return () => clearInterval(id);
  }, [ms, active]);
}
