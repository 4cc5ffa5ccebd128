// Every request of the pages goes through here: relative urls (the pages
// live at /plugins/emag/), the admin token when a route needs it, and one
// error shape (errors.js) that also feeds the banner.
import { ApiError, fromResponse, unreachable, reportError, clearError, TOKEN_REFUSED } from "./errors.js";
import { askToken, currentToken, forgetToken } from "./token.js";

// Query string from an object, leaving out empty values.
export function qs(params = {}) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) {
    if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
  }
  const s = p.toString();
  return s ? `?${s}` : "";
}

async function once(url, { method, body, token, signal }) {
  const headers = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal, cache: "no-store" });
  } catch (e) {
    if (e?.name === "AbortError") throw e;
    throw unreachable();
  }
  const text = await response.text().catch(() => "");
  let parsed = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  return { response, parsed };
}

// request(url, {method, body, admin, quiet, signal}) → parsed JSON body.
// Every POST is admin on the host. A refused token is forgotten and asked
// again; the request is then repeated with the new one.
export async function request(url, opts = {}) {
  const method = opts.method || "GET";
  const admin = opts.admin || method !== "GET";
  let token = admin ? currentToken() : "";
  let refused = "";
  for (;;) {
    if (admin && !token) {
      try {
        token = await askToken(refused);
      } catch {
        const e = new ApiError({ kind: "admin_token", message: refused || "This needs the host's admin token (from its admin_token_file)" });
        if (!opts.quiet) reportError(e);
        throw e;
      }
    }
    let result;
    try {
      result = await once(url, { method, body: opts.body, token, signal: opts.signal });
    } catch (e) {
      if (e instanceof ApiError && !opts.quiet) reportError(e);
      throw e;
    }
    const { response, parsed } = result;
    if (response.ok) {
      clearError("unreachable"); // the host answers again
      if (admin) clearError("admin_token");
      return parsed;
    }
    const error = fromResponse(response, parsed);
    if (admin && error.kind === "admin_token" && response.status === 401) {
      forgetToken();
      reportError(error);
      refused = TOKEN_REFUSED;
      token = "";
      continue; // ask again, then repeat the request
    }
    if (!opts.quiet) reportError(error);
    throw error;
  }
}

// Plugin routes (relative to /plugins/emag/).
export const api = {
  get: (path, params, opts) => request(`api/${path}${qs(params)}`, { ...opts }),
  post: (path, body, params, opts) => request(`api/${path}${qs(params)}`, { ...opts, method: "POST", body: body ?? {} }),
};

// Host routes (two levels up from /plugins/emag/).
export const host = {
  health: (opts) => request("../../health", opts),
  jobs: () => request("../../api/jobs", { admin: true }),
  runJob: (id) => request(`../../api/jobs/${encodeURIComponent(id)}/run`, { method: "POST", body: {} }),
};
