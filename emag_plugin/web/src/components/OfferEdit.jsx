// The offer's edit panel: price, stock and status changes go to the
// outbound queue; the changes list is polled every 2 s while one of them
// is still queued or sending.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { useFetch, useInterval } from "../use_fetch.js";
import { ChangeRow } from "./ChangeRow.jsx";
import { Loading } from "./Loading.jsx";
import { JsonDetails } from "./JsonDetails.jsx";
import { money, num } from "../format.js";

export const OFFER_STATUS = { 0: "inactive", 1: "active", 2: "end of life" };

function stockTotal(o) {
  if (o.general_stock !== null && o.general_stock !== undefined) return o.general_stock;
  return (o.stock || []).reduce((n, s) => n + (Number(s.value) || 0), 0);
}

export function OfferEdit({ account, offerId, onChanged }) {
  const d = useFetch((signal) => api.get(`offers/${encodeURIComponent(offerId)}`, { account }, { signal }), [account, offerId]);
  const o = d.data;
  const [price, setPrice] = useState("");
  const [stock, setStock] = useState("");
  const [status, setStatus] = useState("1");
  const [result, setResult] = useState(null);
  const [busy, setBusy] = useState(false);

  // Fill the inputs when another offer is opened (not on every poll).
  useEffect(() => {
    if (!o) return;
    setPrice(o.sale_price ?? "");
    setStock(String(stockTotal(o) ?? ""));
    setStatus(String(o.status ?? 1));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [o?.offer_id, o?.account]);
  useEffect(() => setResult(null), [account, offerId]);

  const pending = (o?.changes || []).some((c) => c.state === "queued" || c.state === "sending");
  useInterval(d.reload, 2000, pending);

  const save = async (kind, body) => {
    setBusy(true);
    setResult(null);
    try {
      const r = await api.post(`offers/${encodeURIComponent(offerId)}/${kind}`, body, { account });
      setResult({ ok: true, text: `The ${kind} change #${r?.change?.id ?? "?"} is ${r?.change?.state ?? "queued"}: it goes to eMAG with the next push.` });
    } catch (e) {
      const more = e.messages?.length ? ` ${e.messages.join("; ")}` : "";
      setResult({ ok: false, text: `The ${kind} change was not queued: ${e.message}${more}` });
    } finally {
      setBusy(false);
      d.reload();
      onChanged?.();
    }
  };

  return (
    <section class="card" data-testid="offer-edit" data-offer-id={offerId}>
      {!o ? (
        <Loading state={d} what="offer" />
      ) : (
        <>
          <h2>
            {o.name} <span class="muted">#{o.offer_id}</span>
          </h2>
          <div class="kv">
            <span>Part number</span>
            <span>
              {o.part_number} <span class="muted">({o.part_number_key})</span>
            </span>
            <span>Price</span>
            <span>
              {money(o.sale_price, o.currency)} <span class="muted">(min {money(o.min_sale_price, o.currency)}, max {money(o.max_sale_price, o.currency)})</span>
            </span>
            <span>Best offer</span>
            <span>
              {money(o.best_offer_sale_price, o.currency)} <span class="muted">rank {o.buy_button_rank ?? "—"} of {o.number_of_offers ?? "—"}</span>
            </span>
            <span>Stock</span>
            <span>
              {num(stockTotal(o))} <span class="muted">{(o.stock || []).map((s) => `wh ${s.warehouse_id}: ${s.value}`).join(", ")}</span>
            </span>
            <span>Status</span>
            <span>{OFFER_STATUS[o.status] ?? o.status}</span>
          </div>
          <div class="edit-row">
            <label for="edit-price">Price</label>
            <input id="edit-price" data-testid="edit-price" inputMode="decimal" value={price} onInput={(e) => setPrice(e.currentTarget.value)} />
            <span class="muted">{o.currency}</span>
            <button type="button" data-testid="save-price" disabled={busy} onClick={() => save("price", { sale_price: price.trim() })}>
              Save price
            </button>
          </div>
          <div class="edit-row">
            <label for="edit-stock">Stock</label>
            <input id="edit-stock" data-testid="edit-stock" type="number" min="0" step="1" value={stock} onInput={(e) => setStock(e.currentTarget.value)} />
            <span class="muted">units</span>
            <button type="button" data-testid="save-stock" disabled={busy} onClick={() => save("stock", { stock: Number(stock) })}>
              Save stock
            </button>
          </div>
          <div class="edit-row">
            <label for="edit-status">Status</label>
            <select id="edit-status" data-testid="edit-status" value={status} onChange={(e) => setStatus(e.currentTarget.value)}>
              {Object.entries(OFFER_STATUS).map(([v, t]) => (
                <option key={v} value={v}>
                  {v} · {t}
                </option>
              ))}
            </select>
            <button type="button" data-testid="save-status" disabled={busy} onClick={() => save("status", { status: Number(status) })}>
              Save status
            </button>
          </div>
          {result && (
            <div class={`action-result ${result.ok ? "ok" : "failed"}`} data-testid="save-result" data-ok={String(result.ok)}>
              {result.text}
            </div>
          )}
          <h2>
            Latest changes {pending && <span class="muted">(updating…)</span>}
          </h2>
          <table class="table compact">
            <thead>
              <tr>
                <th class="num">#</th>
                <th>Kind</th>
                <th class="num">Value</th>
                <th>State</th>
                <th class="num">Tries</th>
                <th>When</th>
              </tr>
            </thead>
            <tbody>
              {(o.changes || []).length === 0 && (
                <tr>
                  <td colSpan={6} class="muted">
                    No change sent from here yet.
                  </td>
                </tr>
              )}
              {(o.changes || []).map((c) => (
                <ChangeRow key={c.id} change={c} />
              ))}
            </tbody>
          </table>
          <JsonDetails value={o.payload} summary="eMAG's offer (raw)" />
        </>
      )}
    </section>
  );
}
