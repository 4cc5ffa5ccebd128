// The host's admin token: asked once through the dialog, kept for the
// browser tab only (sessionStorage), forgotten when the host refuses it.
import { observable } from "./observable.js";

const KEY = "emag.adminToken";

function read() {
  try {
    return sessionStorage.getItem(KEY) || "";
  } catch {
    return ""; // storage disabled: ask every time
  }
}

export function getToken() {
  return read();
}

// Only used when sessionStorage is unavailable (then the token lasts
// until the page reloads).
let memory = "";

export function setToken(token) {
  try {
    sessionStorage.setItem(KEY, token);
    memory = "";
  } catch {
    memory = token;
  }
}

export function forgetToken() {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    /* nothing stored */
  }
  memory = "";
}

export function currentToken() {
  return read() || memory;
}

// The dialog's state: null when closed, else {error} (error = refusal text).
export const tokenPrompt = observable(null);

let pending = null; // one dialog for every request waiting on a token

// Resolves with the token typed in, or rejects when the dialog is cancelled.
export function askToken(error = "") {
  if (pending) {
    if (error) tokenPrompt.set({ error });
    return pending.promise;
  }
  let resolve, reject;
  const promise = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  pending = { promise, resolve, reject };
  tokenPrompt.set({ error });
  return promise;
}

export function submitToken(token) {
  setToken(token);
  const p = pending;
  pending = null;
  tokenPrompt.set(null);
  p?.resolve(token);
}

export function cancelToken() {
  const p = pending;
  pending = null;
  tokenPrompt.set(null);
  p?.reject(new Error("cancelled"));
}
