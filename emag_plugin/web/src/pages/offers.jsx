// Offers: search and page through an account's offers, open one to change
// its price/stock/status, and handle the dead letter of failed changes.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { navigate } from "../router.js";
import { useAccounts } from "../accounts.js";
import { useFetch } from "../use_fetch.js";
import { AccountSelect } from "../components/AccountSelect.jsx";
import { SearchInput } from "../components/SearchInput.jsx";
import { Pager } from "../components/Pager.jsx";
import { Loading } from "../components/Loading.jsx";
import { OfferEdit, OFFER_STATUS } from "../components/OfferEdit.jsx";
import { DeadLetter } from "../components/DeadLetter.jsx";
import { money, num } from "../format.js";

const PER_PAGE = 50;

export function Offers({ params, account: pathAccount, offerId }) {
  const accounts = useAccounts();
  const account = params.account || pathAccount || "";
  const q = params.q || "";
  const page = Math.max(1, Number(params.page) || 1);
  const [refresh, setRefresh] = useState(0); // bumps after a change/retry

  useEffect(() => {
    if (!account && accounts?.length) navigate(["offers"], { ...params, account: accounts[0] }, { replace: true });
  }, [account, accounts]);

  const keep = { account, q, page: page > 1 ? page : undefined };
  const go = (next) => navigate(offerId ? ["offers", account, offerId] : ["offers"], { ...keep, ...next });
  const list = useFetch((signal) => api.get("offers", { account, q, page, per_page: PER_PAGE }, { signal }), [account, q, page, refresh], { enabled: Boolean(account) });
  const d = list.data;

  return (
    <div class="page">
      <div class="page-head">
        <h1>Offers</h1>
        <span>
          <strong data-testid="offers-total">{d ? d.total : "…"}</strong> <span class="muted">offers</span>
        </span>
      </div>
      <div class="filters">
        <AccountSelect accounts={accounts} value={account} onChange={(v) => navigate(["offers"], { account: v })} />
        <label class="field">
          <span>Search</span>
          <SearchInput testid="offers-search" value={q} placeholder="name, part number, EAN…" onApply={(v) => go({ q: v, page: undefined })} />
        </label>
      </div>
      <div class={offerId ? "split" : ""}>
        <div>
          {!d ? (
            <Loading state={list} what="offers" />
          ) : (
            <>
              <table class="table">
                <thead>
                  <tr>
                    <th class="num">Offer</th>
                    <th>Name</th>
                    <th>Part number</th>
                    <th class="num">Price</th>
                    <th class="num">Min / max</th>
                    <th class="num">Stock</th>
                    <th>Status</th>
                  </tr>
                </thead>
                <tbody>
                  {d.offers.length === 0 && (
                    <tr>
                      <td colSpan={7} class="muted">
                        No offer matches.
                      </td>
                    </tr>
                  )}
                  {d.offers.map((o) => (
                    <tr
                      key={o.offer_id}
                      class={`clickable ${String(o.offer_id) === String(offerId) ? "selected" : ""}`}
                      data-testid="offer-row"
                      data-offer-id={o.offer_id}
                      onClick={() => navigate(["offers", account, o.offer_id], keep)}
                    >
                      <td class="num">{o.offer_id}</td>
                      <td>{o.name}</td>
                      <td>{o.part_number}</td>
                      <td class="num">{money(o.sale_price, o.currency)}</td>
                      <td class="num muted">
                        {money(o.min_sale_price, "")} / {money(o.max_sale_price, "")}
                      </td>
                      <td class="num">{num(o.general_stock)}</td>
                      <td>{OFFER_STATUS[o.status] ?? o.status}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <Pager page={page} perPage={d.per_page || PER_PAGE} total={d.total} onPage={(p) => go({ page: p })} />
            </>
          )}
        </div>
        {offerId && (
          <div>
            <p>
              <a href={`#/offers?account=${encodeURIComponent(account)}${q ? `&q=${encodeURIComponent(q)}` : ""}`}>× close</a>
            </p>
            <OfferEdit account={pathAccount || account} offerId={offerId} onChanged={() => setRefresh((n) => n + 1)} />
          </div>
        )}
      </div>
      <DeadLetter account={account} refresh={refresh} onRetried={() => setRefresh((n) => n + 1)} />
    </div>
  );
}
