// One customer (admin): scores, spend per currency, cities and the order
// history, each order linking to its detail.
import { api } from "../api.js";
import { useFetch } from "../use_fetch.js";
import { RiskBadge, StatusBadge } from "../components/Badges.jsx";
import { Time } from "../components/Time.jsx";
import { Loading } from "../components/Loading.jsx";
import { money, percent } from "../format.js";
import { spentText } from "./customers.jsx";

export function CustomerDetail({ account, customerKey }) {
  const d = useFetch(
    (signal) => api.get(`customers/${encodeURIComponent(account)}/${encodeURIComponent(customerKey)}`, null, { signal, admin: true }),
    [account, customerKey]
  );
  const c = d.data;
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          Customer <span class="muted">· {account}</span>
        </h1>
        <a href="#/customers">← all customers</a>
      </div>
      {!c ? (
        <Loading state={d} what="customer" />
      ) : (
        <div class="page" data-testid="customer-detail" data-key={c.key}>
          <section class="card">
            <h2>
              {c.name} <span class="muted">{c.key}</span> <RiskBadge level={c.risk_level} />
            </h2>
            <div class="kv">
              <span>Loyalty score</span>
              <span data-testid="loyalty">{c.loyalty_score}</span>
              <span>Orders</span>
              <span>
                {c.orders} ({c.canceled} canceled, {c.returned} returned, {c.storno} storno, {c.cod_refused} COD refused)
              </span>
              <span>Cancel / return rate</span>
              <span>
                {percent(c.cancel_rate, 0)} / {percent(c.return_rate, 0)}
              </span>
              <span>Spent</span>
              <span>{spentText(c.spent)}</span>
              <span>Average order</span>
              <span>{(c.spent || []).map((s) => money(s.average, s.currency)).join(" + ") || "—"}</span>
              <span>Payments</span>
              <span>
                COD {c.payments?.cod ?? 0}, card {c.payments?.card ?? 0}, bank transfer {c.payments?.bank_transfer ?? 0}
              </span>
              <span>Cities</span>
              <span>{(c.cities || []).map((x) => `${x.city} (${x.orders})`).join(", ") || "—"}</span>
              <span>First / last order</span>
              <span>
                <Time iso={c.first_order} /> / <Time iso={c.last_order} />
              </span>
            </div>
          </section>
          <section class="card">
            <h2>Order history</h2>
            <table class="table compact" data-testid="customer-history">
              <thead>
                <tr>
                  <th>Order</th>
                  <th>Date</th>
                  <th>Status</th>
                  <th class="num">Total</th>
                  <th>Payment</th>
                  <th>City</th>
                  <th>Storno</th>
                </tr>
              </thead>
              <tbody>
                {(c.history || []).map((o) => (
                  <tr key={o.id} data-testid="customer-order" data-order-id={o.id}>
                    <td>
                      <a href={`#/orders/${encodeURIComponent(c.account)}/${o.id}`}>{o.id}</a>
                    </td>
                    <td>
                      <Time iso={o.date} />
                    </td>
                    <td>{o.status === null || o.status === undefined ? "—" : <StatusBadge status={o.status} />}</td>
                    <td class="num">{money(o.total, o.currency)}</td>
                    <td>{o.payment || "—"}</td>
                    <td>{o.city || "—"}</td>
                    <td>{o.storno ? "yes" : ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
        </div>
      )}
    </div>
  );
}
