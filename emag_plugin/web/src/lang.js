// The language of eMAG's labels (cancellation reasons): RO or EN, kept in
// localStorage so the choice survives reloads.
import { observable } from "./observable.js";

const KEY = "emag.lang";

function initial() {
  try {
    const v = localStorage.getItem(KEY);
    return v === "ro" || v === "en" ? v : "en";
  } catch {
    return "en";
  }
}

export const lang = observable(initial());

export function toggleLang() {
  const next = lang.get() === "ro" ? "en" : "ro";
  try {
    localStorage.setItem(KEY, next);
  } catch {
    /* not kept: fine for this tab */
  }
  lang.set(next);
}

// A {code,en,ro} label in the chosen language.
export function label(reason, l = lang.get()) {
  if (!reason) return "";
  return (l === "ro" ? reason.ro : reason.en) || reason.en || reason.ro || `code ${reason.code}`;
}
