// Orders eMAG sent that failed validation: why (field + message) and the
// raw payload, so they can be fixed on eMAG's side or reported.
import { useEffect } from "preact/hooks";
import { api } from "../api.js";
import { navigate } from "../router.js";
import { useAccounts } from "../accounts.js";
import { useFetch } from "../use_fetch.js";
import { AccountSelect } from "../components/AccountSelect.jsx";
import { JsonDetails } from "../components/JsonDetails.jsx";
import { Loading } from "../components/Loading.jsx";

function errorsOf(row) {
  return Array.isArray(row.errors) ? row.errors : [{ field: "", message: String(row.errors) }];
}

export function Quarantine({ params }) {
  const accounts = useAccounts();
  const account = params.account || "";
  useEffect(() => {
    if (!account && accounts?.length) navigate(["quarantine"], { account: accounts[0] }, { replace: true });
  }, [account, accounts]);
  const q = useFetch((signal) => api.get("quarantine", { account }, { signal }), [account], { enabled: Boolean(account) });
  const rows = q.data?.orders || [];
  return (
    <div class="page">
      <div class="page-head">
        <h1>Quarantine</h1>
        <span>
          <strong data-testid="quarantine-count">{q.data ? rows.length : "…"}</strong> <span class="muted">orders held back</span>
        </span>
      </div>
      <div class="filters">
        <AccountSelect accounts={accounts} value={account} onChange={(v) => navigate(["quarantine"], { account: v })} />
      </div>
      {!q.data ? (
        <Loading state={q} what="quarantine" />
      ) : (
        <table class="table">
          <thead>
            <tr>
              <th>Order</th>
              <th>Problems</th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && (
              <tr>
                <td colSpan={2} class="muted">
                  Nothing in quarantine.
                </td>
              </tr>
            )}
            {rows.map((r) => (
              <tr key={r.order_key} data-testid="quarantine-row" data-order-key={r.order_key}>
                <td>
                  <strong>{r.emag_id ?? r.order_key}</strong>
                  {r.payload?.status !== undefined && <div class="muted">eMAG status {r.payload.status}</div>}
                </td>
                <td>
                  <ul class="errors-list">
                    {errorsOf(r).map((e, i) => (
                      <li key={i}>
                        <code>{e.field || "(order)"}</code> {e.message}
                        {e.code && <span class="muted"> [{e.code}]</span>}
                      </li>
                    ))}
                  </ul>
                  <JsonDetails value={r.payload} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
