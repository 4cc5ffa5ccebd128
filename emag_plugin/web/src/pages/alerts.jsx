// Alerts & backups (admin): every alert with its state, and the backups
// with each table's row count and checksum, plus "Back up now".
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { useFetch } from "../use_fetch.js";
import { onTopic } from "../ws.js";
import { Time } from "../components/Time.jsx";
import { Loading } from "../components/Loading.jsx";
import { bytes } from "../format.js";

function AlertsTable() {
  const list = useFetch((signal) => api.get("alerts", { limit: 200 }, { signal, admin: true }), []);
  // A raised or cleared alert arrives on the live feed: read the list again.
  useEffect(() => onTopic("emag.alerts", () => list.reload()), [list.reload]);
  const rows = list.data?.alerts || [];
  return (
    <section class="card">
      <h2>Alerts</h2>
      {!list.data ? (
        <Loading state={list} what="alerts" />
      ) : (
        <table class="table compact">
          <thead>
            <tr>
              <th>State</th>
              <th>Severity</th>
              <th>Account</th>
              <th>Rule</th>
              <th>Message</th>
              <th>Raised</th>
              <th>Cleared</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={7} class="muted">
                  No alert has been raised.
                </td>
              </tr>
            )}
            {rows.map((a) => (
              <tr key={a.id} data-testid="alert-row" data-state={a.state} data-alert-id={a.id}>
                <td>
                  <span class={`badge ${a.state === "active" ? "state-failed" : "state-confirmed"}`}>{a.state}</span>
                </td>
                <td>{a.severity}</td>
                <td>{a.account}</td>
                <td>
                  {a.rule}
                  {a.subject ? <span class="muted"> · {a.subject}</span> : null}
                </td>
                <td>
                  {a.message}
                  <div class="muted">
                    value {a.value} (threshold {a.threshold})
                  </div>
                </td>
                <td>
                  <Time iso={a.raised_at} />
                </td>
                <td>
                  <Time iso={a.cleared_at} fallback="—" />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function BackupRow({ b }) {
  return (
    <tr data-testid="backup-row" data-name={b.name}>
      <td>
        <strong>{b.name}</strong>
        <div class="muted">
          <Time iso={b.created_at} /> · {bytes(b.bytes)}
        </div>
      </td>
      <td>
        {/* Open: each table's rows and checksum are what one checks here. */}
        <details open>
          <summary>{(b.tables || []).length} tables, {(b.tables || []).reduce((n, t) => n + (Number(t.rows) || 0), 0)} rows</summary>
          <table class="table compact">
            <thead>
              <tr>
                <th>Table</th>
                <th class="num">Rows</th>
                <th class="num">Size</th>
                <th>sha256</th>
              </tr>
            </thead>
            <tbody>
              {(b.tables || []).map((t) => (
                <tr key={t.name} data-table={t.name}>
                  <td>{t.name}</td>
                  <td class="num">{t.rows}</td>
                  <td class="num">{bytes(t.bytes)}</td>
                  <td>
                    <code title={t.sha256}>{t.sha256}</code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      </td>
    </tr>
  );
}

function Backups() {
  const list = useFetch((signal) => api.get("backups", null, { signal, admin: true }), []);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState(null);
  const backupNow = async () => {
    setBusy(true);
    setNote(null);
    try {
      const r = await api.post("backups", {});
      setNote({ ok: true, text: `Backup ${r?.backup?.name ?? ""} written (${bytes(r?.backup?.bytes)}).` });
    } catch (e) {
      setNote({ ok: false, text: `Backup failed: ${e.message}` });
    } finally {
      setBusy(false);
      list.reload();
    }
  };
  const d = list.data;
  return (
    <section class="card">
      <div class="card-head">
        <h2>Backups</h2>
        <button type="button" class="primary" data-testid="backup-now" disabled={busy} onClick={backupNow}>
          {busy ? "Backing up…" : "Back up now"}
        </button>
      </div>
      {note && (
        <div class={`action-result ${note.ok ? "ok" : "failed"}`} data-testid="backup-result">
          {note.text}
        </div>
      )}
      {!d ? (
        <Loading state={list} what="backups" />
      ) : (
        <>
          <p class="muted">
            Kept: the latest {d.keep} in <code>{d.dir}</code>
          </p>
          {(d.problems || []).length > 0 && (
            <ul class="messages bad">
              {d.problems.map((p, i) => (
                <li key={i}>{typeof p === "string" ? p : p.message || JSON.stringify(p)}</li>
              ))}
            </ul>
          )}
          <table class="table compact">
            <tbody>
              {(d.backups || []).length === 0 && (
                <tr>
                  <td class="muted">No backup yet.</td>
                </tr>
              )}
              {(d.backups || []).map((b) => (
                <BackupRow key={b.name} b={b} />
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export function Alerts() {
  return (
    <div class="page">
      <div class="page-head">
        <h1>Alerts & backups</h1>
      </div>
      <AlertsTable />
      <Backups />
    </div>
  );
}
