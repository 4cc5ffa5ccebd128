// The dead letter: changes eMAG refused or that ran out of attempts; each
// can be sent again (as a new change, the failed row stays for the record).
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { useFetch, useInterval } from "../use_fetch.js";
import { messageText, valueText } from "./ChangeRow.jsx";
import { Time } from "./Time.jsx";

export function DeadLetter({ account, refresh, onRetried }) {
  const dl = useFetch((signal) => api.get("outbound", { account, state: "failed", per_page: 100 }, { signal }), [account, refresh], { enabled: Boolean(account) });
  const [note, setNote] = useState(null);
  // A change fails some time after it was saved (when the push runs): the
  // list follows on its own.
  useInterval(dl.reload, 5000, Boolean(account));
  const retry = async (id) => {
    setNote(null);
    try {
      const r = await api.post(`outbound/${id}/retry`, {});
      setNote({ ok: true, text: `Change #${id} queued again as #${r?.change?.id ?? "?"}.` });
      onRetried?.();
    } catch (e) {
      setNote({ ok: false, text: `Retry of #${id} failed: ${e.message}` });
    }
    dl.reload();
  };
  const rows = dl.data?.changes || [];
  const counts = dl.data?.counts || {};
  return (
    <section class="card" data-testid="dead-letter">
      <h2>
        Dead letter <span class="muted">({rows.length} failed)</span>
      </h2>
      {Object.keys(counts).length > 0 && (
        <p class="muted">
          Outbound queue: {Object.entries(counts).map(([k, v]) => `${k} ${v}`).join(" · ")}
        </p>
      )}
      {note && (
        <div class={`action-result ${note.ok ? "ok" : "failed"}`} data-testid="retry-result">
          {note.text}
        </div>
      )}
      <table class="table compact">
        <thead>
          <tr>
            <th class="num">#</th>
            <th class="num">Offer</th>
            <th>Kind</th>
            <th class="num">Value</th>
            <th>eMAG said</th>
            <th class="num">Tries</th>
            <th>Failed</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr>
              <td colSpan={8} class="muted">
                {dl.data ? "No failed change." : "Loading…"}
              </td>
            </tr>
          )}
          {rows.map((c) => (
            <tr key={c.id} data-testid="dead-letter-row" data-change-id={c.id}>
              <td class="num">{c.id}</td>
              <td class="num">
                <a href={`#/offers/${encodeURIComponent(c.account || account)}/${c.offer_id}`}>{c.offer_id}</a>
              </td>
              <td>{c.kind}</td>
              <td class="num">{valueText(c)}</td>
              <td>
                <ul class="messages">
                  {(Array.isArray(c.messages) ? c.messages : []).map((m, i) => (
                    <li key={i}>{messageText(m)}</li>
                  ))}
                </ul>
              </td>
              <td class="num">{c.attempts}</td>
              <td>
                <Time iso={c.finished_at} />
              </td>
              <td>
                <button type="button" data-testid="retry" onClick={() => retry(c.id)}>
                  Retry
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
