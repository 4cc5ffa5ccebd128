// One outbound change (price/stock/status) and where it stands; failed
// ones carry eMAG's messages, rejected ones the validation problems.
import { Time } from "./Time.jsx";

export function messageText(m) {
  if (typeof m === "string") return m;
  if (m && typeof m === "object") return m.field ? `${m.field}: ${m.message}` : m.message || JSON.stringify(m);
  return String(m);
}

// Stock is sent per warehouse: [{warehouse_id, value}].
function stockText(stock) {
  if (!Array.isArray(stock)) return String(stock);
  return stock.map((s) => (stock.length > 1 ? `wh ${s.warehouse_id}: ${s.value}` : String(s.value))).join(", ");
}

export function valueText(change) {
  const v = change.value;
  if (v && typeof v === "object") {
    if (change.kind === "price" && v.sale_price !== undefined) return `${v.sale_price}`;
    if (change.kind === "stock" && v.stock !== undefined) return stockText(v.stock);
    if (change.kind === "status" && v.status !== undefined) return `${v.status}`;
    return JSON.stringify(v);
  }
  return String(v ?? "");
}

export function ChangeRow({ change: c }) {
  const messages = Array.isArray(c.messages) ? c.messages : c.messages ? [c.messages] : [];
  return (
    <tr data-testid="change-row" data-change-id={c.id} data-state={c.state}>
      <td class="num">{c.id}</td>
      <td>{c.kind}</td>
      <td class="num">{valueText(c)}</td>
      <td>
        <span class={`badge state-${c.state}`}>{c.state}</span>
        {c.superseded_by && <span class="muted"> by #{c.superseded_by}</span>}
        {messages.length > 0 && (
          <ul class="messages">
            {messages.map((m, i) => (
              <li key={i}>{messageText(m)}</li>
            ))}
          </ul>
        )}
      </td>
      <td class="num">{c.attempts}</td>
      <td>
        <Time iso={c.finished_at || c.sent_at || c.enqueued_at} />
      </td>
    </tr>
  );
}
