// Turns every failed request into one shape {kind, message, messages,
// retryAfter} and holds the banner's current error. The kinds are the
// data-kind values of [data-testid="error"].
import { observable } from "./observable.js";

export class ApiError extends Error {
  constructor({ kind, message, messages = [], retryAfter = null, status = 0, body = null }) {
    super(message);
    this.kind = kind;
    this.messages = messages;
    this.retryAfter = retryAfter;
    this.status = status;
    this.body = body;
  }
}

export const UNREACHABLE =
  "The ERP host is unreachable — check that erp-host is running";
export const TOKEN_REFUSED =
  "The admin token was refused — enter the token from the host's admin_token_file";
export const TOKEN_NOT_CONFIGURED =
  "The ERP host has no admin token configured (admin_token_file): admin pages and actions are unavailable";

// The browser's own reason ("Failed to fetch") says nothing more to the
// operator, so it is kept off the banner.
export function unreachable() {
  return new ApiError({ kind: "unreachable", message: UNREACHABLE });
}

// Messages eMAG (or the plugin) attached: error.messages plus problems[].
function listedMessages(err) {
  const out = [];
  for (const m of Array.isArray(err.messages) ? err.messages : []) {
    out.push(typeof m === "string" ? m : m?.message ?? JSON.stringify(m));
  }
  for (const p of Array.isArray(err.problems) ? err.problems : []) {
    out.push(p.field ? `${p.field}: ${p.message}` : p.message);
  }
  return out;
}

function retryAfterSeconds(response, err) {
  const h = Number(response.headers.get("Retry-After"));
  if (Number.isFinite(h) && h > 0) return Math.ceil(h);
  const b = Number(err.retry_after_s);
  return Number.isFinite(b) && b > 0 ? Math.ceil(b) : 1;
}

// Classifies a non-2xx answer. `body` is the parsed JSON or null.
export function fromResponse(response, body) {
  const status = response.status;
  const err = body && typeof body === "object" && body.error ? body.error : null;
  const code = err ? err.kind || err.code || "" : "";
  const base = { status, body };
  // The host itself failing (proxy-ish 502-504 without our error body).
  if (!err && status >= 502 && status <= 504) return new ApiError({ ...base, kind: "unreachable", message: UNREACHABLE });
  if (!err) {
    return new ApiError({ ...base, kind: status === 404 ? "not_found" : "other", message: `HTTP ${status} ${response.statusText}`.trim() });
  }
  const messages = listedMessages(err);
  if (status === 401 && code === "unauthorized") return new ApiError({ ...base, kind: "admin_token", message: TOKEN_REFUSED });
  if (status === 403 && code === "admin_token_not_configured") {
    return new ApiError({ ...base, kind: "admin_token", message: TOKEN_NOT_CONFIGURED, messages: err.message ? [err.message] : [] });
  }
  if (code === "rate_limited") {
    const s = retryAfterSeconds(response, err);
    return new ApiError({ ...base, kind: "rate_limited", message: `eMAG rate limit reached (429): waiting ${s} s`, retryAfter: s, messages });
  }
  if (code === "auth") {
    return new ApiError({
      ...base,
      kind: "auth",
      message:
        "eMAG refused the credentials or this server's IP is not whitelisted (401): check the account's " +
        "username/password and whitelist the IP in the eMAG seller portal",
      messages: messages.length ? messages : err.message ? [err.message] : [],
    });
  }
  if (code === "validation" || code === "bad_request") {
    // Only eMAG's own refusals say so: our checks (problems, before
    // sending) and a malformed request never reached eMAG.
    const local = code === "bad_request" || Array.isArray(err.problems);
    return new ApiError({
      ...base,
      kind: "validation",
      message: local ? "Refused before sending to eMAG (fix the values):" : "eMAG refused the data (400):",
      messages: messages.length ? messages : [err.message || "no details"],
    });
  }
  if (code === "conflict" || code === "already_running" || status === 409) return new ApiError({ ...base, kind: "conflict", message: err.message || "Conflict", messages });
  if (code === "not_found" || status === 404) return new ApiError({ ...base, kind: "not_found", message: err.message || "Not found", messages });
  return new ApiError({ ...base, kind: "other", message: err.message || `HTTP ${status}`, messages });
}

// The banner's error (null when none). retryTick bumps when the user asks
// to retry, so pages that depend on it fetch again.
export const currentError = observable(null);
export const retryTick = observable(0);

export function reportError(e) {
  const error = e instanceof ApiError ? e : new ApiError({ kind: "other", message: String(e?.message || e) });
  currentError.set({ kind: error.kind, message: error.message, messages: error.messages, retryAfter: error.retryAfter, at: Date.now() });
}

export function clearError(kind) {
  const cur = currentError.get();
  if (cur && (!kind || cur.kind === kind)) currentError.set(null);
}

export function retryAll() {
  currentError.set(null);
  retryTick.set((n) => n + 1);
}
