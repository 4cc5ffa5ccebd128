// One account on the dashboard: health, credentials, rate-limit usage per
// API group and each sync stream's last/next run, cursor lag and outcome.
import { Time } from "./Time.jsx";
import { duration, num, percent } from "../format.js";

// What the status's credentials word means for the admin, with what to do.
const CREDENTIALS = {
  ok: "ok",
  missing: "missing: the password could not be read at start (check password_env / password_file)",
  refused:
    "refused by eMAG (401): wrong username or password, or this server's IP is not whitelisted in the eMAG seller portal",
};

function Usage({ group, figures }) {
  const usage = Number(figures?.usage) || 0;
  const pct = Math.round(usage * 1000) / 10;
  return (
    <div class="usage" data-testid="usage" data-group={group} data-usage={String(usage)} title={`${num(figures?.requests_per_minute, 1)} requests/min, p95 ${num(figures?.p95_ms, 1)} ms, errors ${percent(figures?.error_rate)}`}>
      <span class="usage-label">{group}</span>
      <meter min="0" max="100" low="60" high="85" optimum="0" value={pct} />
      <span class="num">{pct}%</span>
    </div>
  );
}

function StreamRow({ s }) {
  return (
    <tr data-testid="stream" data-stream={s.stream} data-outcome={s.last_outcome || ""}>
      <td>{s.stream}</td>
      <td>
        <Time iso={s.last_run_at} fallback="never" />
      </td>
      <td>
        <Time iso={s.next_run_at} fallback="—" />
      </td>
      <td class="num" title={s.cursor_utc ? `cursor ${s.cursor_utc}` : "no cursor for this stream"}>
        {s.lag_s === undefined || s.lag_s === null ? "—" : duration(s.lag_s)}
      </td>
      <td>
        <span class={`outcome outcome-${s.last_outcome || "none"}`}>{s.last_outcome || "—"}</span>
      </td>
      <td class="last-error">{s.last_error || ""}</td>
    </tr>
  );
}

export function AccountCard({ account: a }) {
  const rates = a.rates?.["1m"] || a.rates?.["5m"] || {};
  const health = a.health || {};
  return (
    <section class="card account" data-testid="account" data-account={a.name}>
      <header class="card-head">
        <h3>
          {a.name} <span class="muted">({a.platform}, {a.currency})</span>
        </h3>
        <span class={`health health-${health.status}`} data-testid="account-health" title={(health.penalties || []).map((p) => `−${p.points}: ${p.reason}`).join("\n")}>
          {health.score ?? "—"} · {health.status || "?"}
        </span>
      </header>
      <div class="kv">
        <span>Credentials</span>
        <span data-testid="credentials" data-state={a.credentials} class={a.credentials === "ok" ? "good" : "bad"}>
          {CREDENTIALS[a.credentials] || a.credentials || "—"}
        </span>
        <span>Quarantine</span>
        <span>
          <a href={`#/quarantine?account=${encodeURIComponent(a.name)}`}>
            {num(a.quarantine?.orders)} orders, {num(a.quarantine?.offers)} offers
          </a>
        </span>
        <span>Dead letter</span>
        <span>
          <a href={`#/offers?account=${encodeURIComponent(a.name)}`}>{num(a.dead_letter)} failed changes</a>
        </span>
      </div>
      {(health.penalties || []).length > 0 && (
        <ul class="penalties">
          {health.penalties.map((p, i) => (
            <li key={i}>
              −{p.points}: {p.reason}
            </li>
          ))}
        </ul>
      )}
      <div class="usages">
        <Usage group="orders" figures={rates.orders} />
        <Usage group="other" figures={rates.other} />
      </div>
      <table class="table compact">
        <thead>
          <tr>
            <th>Stream</th>
            <th>Last run</th>
            <th>Next run</th>
            <th class="num">Cursor lag</th>
            <th>Outcome</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {(a.streams || []).map((s) => (
            <StreamRow key={s.stream} s={s} />
          ))}
          {(a.streams || []).length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                No sync has run yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </section>
  );
}
