// One order: its lines, customer, payment, shipping, locker, vouchers and
// storno history, with the actions eMAG allows now.
import { api } from "../api.js";
import { useFetch } from "../use_fetch.js";
import { StatusBadge, TypeBadge } from "../components/Badges.jsx";
import { CancelReason } from "../components/CancelReason.jsx";
import { OrderActions } from "../components/OrderActions.jsx";
import { JsonDetails } from "../components/JsonDetails.jsx";
import { Time } from "../components/Time.jsx";
import { Loading } from "../components/Loading.jsx";
import { LangToggle } from "../components/LangToggle.jsx";
import { money } from "../format.js";

function KV({ rows }) {
  return (
    <div class="kv">
      {rows
        .filter(([, v]) => v !== undefined && v !== null && v !== "")
        .map(([k, v]) => [<span key={`k${k}`}>{k}</span>, <span key={`v${k}`}>{v}</span>])}
    </div>
  );
}

function Lines({ o }) {
  return (
    <table class="table compact" data-testid="order-lines">
      <thead>
        <tr>
          <th>Line</th>
          <th>Product</th>
          <th>Part number</th>
          <th class="num">Qty</th>
          <th class="num">Sale price</th>
          <th class="num">VAT</th>
          <th>Status</th>
        </tr>
      </thead>
      <tbody>
        {(o.lines || []).map((l) => (
          <tr key={l.id} data-line-id={l.id}>
            <td>{l.id}</td>
            <td>{l.name}</td>
            <td>{l.part_number}</td>
            <td class="num">{l.quantity}</td>
            <td class="num">{money(l.sale_price, l.currency || o.currency)}</td>
            <td class="num">{l.vat}</td>
            <td>{l.status === 0 ? <span class="bad">canceled</span> : "active"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Customer({ c }) {
  if (!c) return <p class="muted">No customer data.</p>;
  return (
    <KV
      rows={[
        ["Name", c.name],
        ["Company", c.company !== c.name ? c.company : ""],
        ["Legal entity", c.legal_entity ? `yes${c.code ? `, ${c.code}` : ""}${c.registration_number ? `, ${c.registration_number}` : ""}` : "no"],
        ["Phone", c.phone_1],
        ["Billing", [c.billing_name, c.billing_street, c.billing_city, c.billing_suburb, c.billing_postal_code, c.billing_country].filter(Boolean).join(", ")],
        ["Bank", [c.bank, c.iban].filter(Boolean).join(" ")],
      ]}
    />
  );
}

function Payment({ o, p }) {
  return (
    <KV
      rows={[
        ["Method", `${o.detailed_payment_method || ""}${o.payment_mode ? ` (${o.payment_mode})` : ""}`],
        ["Paid", o.payment_status === 1 ? "yes" : "no"],
        ["Lines total", money(o.lines_total, o.currency)],
        ["Shipping tax", money(o.shipping_tax, o.currency)],
        ["Cashed online", money(o.cashed_co, o.currency)],
        ["Cashed COD", money(o.cashed_cod, o.currency)],
        ["eMAG club", p?.emag_club ? "yes" : ""],
      ]}
    />
  );
}

function Shipping({ o, c }) {
  return (
    <KV
      rows={[
        ["Delivery", o.delivery_mode],
        ["Contact", c?.shipping_contact],
        ["Phone", c?.shipping_phone],
        ["Address", [c?.shipping_street, c?.shipping_city, c?.shipping_suburb, c?.shipping_postal_code, c?.shipping_country].filter(Boolean).join(", ")],
        ["City", o.shipping_city],
      ]}
    />
  );
}

function Locker({ o, p }) {
  const id = o.locker_id || p?.details?.locker_id;
  const name = o.locker_name || p?.details?.locker_name;
  if (!id && !name) {
    return <p class="muted">Not a locker delivery{p?.details?.locker_delivery_eligible ? " (the order was eligible for one)" : ""}.</p>;
  }
  return (
    <KV
      rows={[
        ["Locker", name],
        ["Locker id", id],
        ["Courier office", p?.details?.courier_external_office_id],
      ]}
    />
  );
}

function Vouchers({ o, p }) {
  const vouchers = p?.vouchers || [];
  const splits = (p?.products || []).flatMap((prod) => (prod.product_voucher_split || []).map((v) => ({ ...v, product: prod.name })));
  if (!vouchers.length && !splits.length) return <p class="muted">No vouchers.</p>;
  return (
    <>
      <ul class="messages">
        {vouchers.map((v) => (
          <li key={v.id}>
            {v.voucher_name}: {money(v.sale_price, o.currency)} (VAT {money(v.sale_price_vat, o.currency)})
          </li>
        ))}
      </ul>
      {splits.length > 0 && (
        <ul class="messages muted">
          {splits.map((v, i) => (
            <li key={i}>
              {v.product}: {money(v.value, o.currency)} by {v.offered_by}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

function StornoHistory({ o, p }) {
  const products = p?.products || [];
  // Every product, so initial vs current quantities can be compared.
  const touched = products;
  const changed = (x) => Number(x.storno_qty) > 0 || (x.initial_qty !== undefined && Number(x.initial_qty) !== Number(x.quantity));
  return (
    <>
      <p class={o.is_storno ? "bad" : "muted"}>{o.is_storno ? "This order has storno changes." : "No storno on this order."}</p>
      {touched.length > 0 && (
        <table class="table compact" data-testid="storno-history">
          <thead>
            <tr>
              <th>Product</th>
              <th class="num">Initial qty</th>
              <th class="num">Current qty</th>
              <th class="num">Storno qty</th>
            </tr>
          </thead>
          <tbody>
            {touched.map((x) => (
              <tr key={x.id} class={changed(x) ? "bad" : ""}>
                <td>{x.name}</td>
                <td class="num">{x.initial_qty}</td>
                <td class="num">{x.quantity}</td>
                <td class="num">{x.storno_qty}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

export function OrderDetail({ account, id }) {
  const detail = useFetch((signal) => api.get(`orders/${encodeURIComponent(account)}/${encodeURIComponent(id)}`, null, { signal }), [account, id]);
  const o = detail.data;
  // The answer's order is shown at once; the full detail (lines, allowed
  // actions) is then read again.
  const onDone = (r) => {
    if (r?.order) detail.setData((d) => ({ ...d, ...r.order }));
    detail.reload();
  };
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          Order {id} <span class="muted">· {account}</span>
        </h1>
        <LangToggle />
        <a href={`#/orders?account=${encodeURIComponent(account)}`}>← all orders</a>
      </div>
      {!o ? (
        <Loading state={detail} what="order" />
      ) : (
        <div class="page" data-testid="order-detail" data-order-id={o.id}>
          <section class="card">
            <div class="actions">
              <StatusBadge status={o.status} name={o.status_name} />
              <TypeBadge type={o.type} />
              <CancelReason cancellation={o.cancellation} />
              <span class="muted">
                placed <Time iso={o.date_utc} />, modified <Time iso={o.modified_utc} />
                {o.acknowledged_at ? (
                  <>
                    , acknowledged <Time iso={o.acknowledged_at} />
                  </>
                ) : (
                  ", not acknowledged"
                )}
              </span>
            </div>
            <OrderActions order={o} onDone={onDone} />
          </section>
          <section class="card">
            <h2>Lines</h2>
            <Lines o={o} />
          </section>
          <div class="detail-grid">
            <section class="card" data-testid="order-customer">
              <h2>Customer</h2>
              <Customer c={o.payload?.customer} />
            </section>
            <section class="card" data-testid="order-payment">
              <h2>Payment</h2>
              <Payment o={o} p={o.payload} />
            </section>
            <section class="card" data-testid="order-shipping">
              <h2>Shipping</h2>
              <Shipping o={o} c={o.payload?.customer} />
            </section>
            <section class="card" data-testid="order-locker">
              <h2>Locker</h2>
              <Locker o={o} p={o.payload} />
            </section>
            <section class="card" data-testid="order-vouchers">
              <h2>Vouchers</h2>
              <Vouchers o={o} p={o.payload} />
            </section>
            <section class="card wide" data-testid="order-storno">
              <h2>Storno history</h2>
              <StornoHistory o={o} p={o.payload} />
            </section>
          </div>
          {o.payload?.observation && (
            <section class="card">
              <h2>Customer note</h2>
              <p>{o.payload.observation}</p>
            </section>
          )}
          <JsonDetails value={o.payload} summary="eMAG's order (raw)" />
        </div>
      )}
    </div>
  );
}
