// A tiny value holder with subscribers, shared by the module-level state
// (error banner, token dialog, live feed) so components can follow it.
import { useEffect, useState } from "preact/hooks";

export function observable(initial) {
  let value = initial;
  const listeners = new Set();
  return {
    get: () => value,
    set(next) {
      value = typeof next === "function" ? next(value) : next;
      for (const l of [...listeners]) l(value);
    },
    subscribe(fn) {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
  };
}

// Re-renders the calling component whenever the observable changes.
export function useObservable(obs) {
  const [value, setValue] = useState(obs.get());
  useEffect(() => {
    setValue(obs.get());
    return obs.subscribe(setValue);
  }, [obs]);
  return value;
}
