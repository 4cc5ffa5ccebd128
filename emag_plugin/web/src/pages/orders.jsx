// Orders list with filters kept in the hash (#/orders?account=..&status=..).
import { useEffect } from "preact/hooks";
import { api } from "../api.js";
import { navigate } from "../router.js";
import { useAccounts } from "../accounts.js";
import { useFetch } from "../use_fetch.js";
import { AccountSelect } from "../components/AccountSelect.jsx";
import { SearchInput } from "../components/SearchInput.jsx";
import { LangToggle } from "../components/LangToggle.jsx";
import { StatusBadge, TypeBadge, STATUS_NAMES } from "../components/Badges.jsx";
import { CancelReason } from "../components/CancelReason.jsx";
import { Pager } from "../components/Pager.jsx";
import { Time } from "../components/Time.jsx";
import { Loading } from "../components/Loading.jsx";
import { money, num } from "../format.js";

const PER_PAGE = 50;
const FILTERS = ["account", "status", "type", "from", "to", "q", "page"];

function pick(params) {
  const f = {};
  for (const k of FILTERS) if (params[k]) f[k] = params[k];
  return f;
}

export function Orders({ params }) {
  const accounts = useAccounts();
  const f = pick(params);
  const page = Math.max(1, Number(f.page) || 1);

  // Without an account in the hash, show the first one (the API needs one).
  useEffect(() => {
    if (!f.account && accounts?.length) navigate(["orders"], { ...f, account: accounts[0] }, { replace: true });
  }, [f.account, accounts]);

  // Any filter change goes back to page 1.
  const set = (k, v) => navigate(["orders"], { ...f, [k]: v, page: k === "page" ? v : undefined });

  const list = useFetch(
    (signal) =>
      api.get("orders", { account: f.account, status: f.status, type: f.type, from: f.from, to: f.to, q: f.q, page, per_page: PER_PAGE }, { signal }),
    [f.account, f.status, f.type, f.from, f.to, f.q, page],
    { enabled: Boolean(f.account) }
  );
  const d = list.data;

  return (
    <div class="page orders">
      <div class="page-head">
        <h1>Orders</h1>
        <span>
          <strong data-testid="orders-total">{d ? d.total : "…"}</strong> <span class="muted">orders</span>
        </span>
      </div>
      <div class="filters">
        <AccountSelect accounts={accounts} value={f.account} onChange={(v) => set("account", v)} />
        <label class="field">
          <span>Status</span>
          <select data-testid="filter-status" value={f.status || ""} onChange={(e) => set("status", e.currentTarget.value)}>
            <option value="">all</option>
            {Object.entries(STATUS_NAMES).map(([code, name]) => (
              <option key={code} value={code}>
                {code} · {name}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>Type</span>
          <select data-testid="filter-type" value={f.type || ""} onChange={(e) => set("type", e.currentTarget.value)}>
            <option value="">all</option>
            <option value="FBE">FBE</option>
            <option value="FBS">FBS</option>
          </select>
        </label>
        <label class="field">
          <span>From</span>
          <input type="date" data-testid="filter-from" value={f.from || ""} onChange={(e) => set("from", e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>To</span>
          <input type="date" data-testid="filter-to" value={f.to || ""} onChange={(e) => set("to", e.currentTarget.value)} />
        </label>
        <label class="field">
          <span>Search</span>
          <SearchInput testid="filter-q" value={f.q} placeholder="id, customer, product…" onApply={(v) => set("q", v)} />
        </label>
        <label class="field">
          <span>Labels</span>
          <LangToggle />
        </label>
      </div>
      {!d ? (
        <Loading state={list} what="orders" />
      ) : (
        <>
          <table class="table">
            <thead>
              <tr>
                <th>Order</th>
                <th>Date</th>
                <th>Status</th>
                <th>Type</th>
                <th>Customer</th>
                <th>City</th>
                <th>Payment</th>
                <th class="num">Lines total</th>
              </tr>
            </thead>
            <tbody>
              {d.orders.map((o) => (
                <tr
                  key={o.id}
                  class="clickable"
                  data-testid="order-row"
                  data-order-id={o.id}
                  data-status={o.status}
                  onClick={() => navigate(["orders", o.account || f.account, o.id])}
                >
                  <td>
                    <a href={`#/orders/${encodeURIComponent(o.account || f.account)}/${o.id}`}>{o.id}</a>
                  </td>
                  <td>
                    <Time iso={o.date_utc} />
                  </td>
                  <td>
                    <StatusBadge status={o.status} name={o.status_name} />
                    <CancelReason cancellation={o.cancellation} />
                  </td>
                  <td>
                    <TypeBadge type={o.type} />
                  </td>
                  <td>{o.customer_name}</td>
                  <td>{o.shipping_city}</td>
                  <td>{o.detailed_payment_method || o.payment_mode}</td>
                  <td class="num">{money(o.lines_total, o.currency)}</td>
                </tr>
              ))}
              {d.orders.length === 0 && (
                <tr>
                  <td colSpan={8} class="muted">
                    No order matches these filters.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <Pager page={page} perPage={d.per_page || PER_PAGE} total={d.total} onPage={(p) => set("page", p)} />
          <span class="muted">{num(d.total)} in total</span>
        </>
      )}
    </div>
  );
}
