// Customers (admin): loyalty and risk per buyer, sortable by the columns
// the API can sort on; sort, filters and page live in the hash.
import { api } from "../api.js";
import { navigate } from "../router.js";
import { useAccounts } from "../accounts.js";
import { useFetch } from "../use_fetch.js";
import { AccountSelect } from "../components/AccountSelect.jsx";
import { SearchInput } from "../components/SearchInput.jsx";
import { Pager } from "../components/Pager.jsx";
import { RiskBadge } from "../components/Badges.jsx";
import { Time } from "../components/Time.jsx";
import { Loading } from "../components/Loading.jsx";
import { money, percent } from "../format.js";

const PER_PAGE = 50;

function SortTh({ field, label, sort, order, onSort, num }) {
  const active = sort === field;
  return (
    <th data-sort={field} class={num ? "num" : ""} aria-sort={active ? (order === "asc" ? "ascending" : "descending") : "none"} onClick={() => onSort(field)} title="Sort">
      {label} {active ? (order === "asc" ? "▲" : "▼") : ""}
    </th>
  );
}

export function spentText(spent) {
  if (!spent?.length) return "—";
  return spent.map((s) => money(s.total, s.currency)).join(" + ");
}

export function Customers({ params }) {
  const accounts = useAccounts();
  const sort = params.sort || "last_order";
  const order = params.order === "asc" ? "asc" : "desc";
  const page = Math.max(1, Number(params.page) || 1);
  const f = { account: params.account, risk: params.risk, q: params.q, sort: params.sort, order: params.order, page: params.page };
  const set = (next) => navigate(["customers"], { ...f, page: undefined, ...next });
  const onSort = (field) => set({ sort: field, order: sort === field && order === "desc" ? "asc" : "desc" });

  const list = useFetch(
    (signal) => api.get("customers", { account: params.account, risk: params.risk, q: params.q, sort, order, page, per_page: PER_PAGE }, { signal, admin: true }),
    [params.account, params.risk, params.q, sort, order, page]
  );
  const d = list.data;
  const th = (field, label, num) => <SortTh field={field} label={label} sort={sort} order={order} onSort={onSort} num={num} />;

  return (
    <div class="page">
      <div class="page-head">
        <h1>Customers</h1>
        <span>
          <strong data-testid="customers-total">{d ? d.total : "…"}</strong> <span class="muted">customers</span>
        </span>
      </div>
      <div class="filters">
        <AccountSelect accounts={accounts} value={params.account} allowAll onChange={(v) => set({ account: v })} />
        <label class="field">
          <span>Risk</span>
          <select data-testid="filter-risk" value={params.risk || ""} onChange={(e) => set({ risk: e.currentTarget.value })}>
            <option value="">any</option>
            <option value="low">low</option>
            <option value="medium">medium</option>
            <option value="high">high</option>
          </select>
        </label>
        <label class="field">
          <span>Search</span>
          <SearchInput testid="customers-search" value={params.q} placeholder="name or key" onApply={(v) => set({ q: v })} />
        </label>
      </div>
      {!d ? (
        <Loading state={list} what="customers" />
      ) : (
        <>
          <table class="table">
            <thead>
              <tr>
                <th>Customer</th>
                <th>Account</th>
                {th("orders", "Orders", true)}
                {th("spent", "Spent", true)}
                {th("last_order", "Last order")}
                {th("loyalty", "Loyalty", true)}
                {th("risk", "Risk")}
                {th("cancel_rate", "Canceled", true)}
                {th("return_rate", "Returned", true)}
                <th>Pays by</th>
              </tr>
            </thead>
            <tbody>
              {d.customers.length === 0 && (
                <tr>
                  <td colSpan={10} class="muted">
                    No customer matches.
                  </td>
                </tr>
              )}
              {d.customers.map((c) => (
                <tr key={`${c.account}/${c.key}`} class="clickable" data-testid="customer-row" data-key={c.key} onClick={() => navigate(["customers", c.account, c.key])}>
                  <td>
                    {c.name} <div class="muted">{c.key}</div>
                  </td>
                  <td>{c.account}</td>
                  <td class="num">{c.orders}</td>
                  <td class="num">{spentText(c.spent)}</td>
                  <td>
                    <Time iso={c.last_order} />
                  </td>
                  <td class="num" data-testid="loyalty">
                    {c.loyalty_score}
                  </td>
                  <td>
                    <RiskBadge level={c.risk_level} />
                  </td>
                  <td class="num">{percent(c.cancel_rate, 0)}</td>
                  <td class="num">{percent(c.return_rate, 0)}</td>
                  <td>{c.preferred_payment || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <Pager page={page} perPage={d.per_page || PER_PAGE} total={d.total} onPage={(p) => set({ page: p })} />
        </>
      )}
    </div>
  );
}
