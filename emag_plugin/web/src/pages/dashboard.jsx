// Dashboard: overall health, each account's state, live sync progress, a
// throughput chart and the active alerts. Only non-admin GETs load it; the
// "Sync orders now" button asks for the token when pressed.
import { useEffect, useState } from "preact/hooks";
import { api, host } from "../api.js";
import { useFetch, useInterval } from "../use_fetch.js";
import { useObservable } from "../observable.js";
import { onTopic } from "../ws.js";
import { syncProgress, noteRequestsPerMinute } from "../sync_feed.js";
import { AccountCard } from "../components/AccountCard.jsx";
import { AlertList } from "../components/AlertList.jsx";
import { SyncProgress } from "../components/SyncProgress.jsx";
import { RateChart } from "../components/RateChart.jsx";
import { Time } from "../components/Time.jsx";
import { Loading } from "../components/Loading.jsx";
import { bytes } from "../format.js";

function activeAlerts(status) {
  const all = [...(status?.plugin_alerts || [])];
  for (const a of status?.accounts || []) all.push(...(a.alerts || []));
  return all.filter((a) => !a.state || a.state === "active");
}

function requestsPerMinute(status) {
  let sum = 0;
  for (const a of status?.accounts || []) {
    const w = a.rates?.["1m"];
    sum += (Number(w?.orders?.requests_per_minute) || 0) + (Number(w?.other?.requests_per_minute) || 0);
  }
  return sum;
}

function RunSync() {
  const [result, setResult] = useState("");
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setResult("");
    try {
      const r = await host.runJob("emag.orders.sync");
      setResult(r?.result === "started" ? "Order sync started" : `Answer: ${JSON.stringify(r)}`);
    } catch (e) {
      setResult(`Not started: ${e.message}`);
    } finally {
      setBusy(false);
    }
  };
  return (
    <span class="run-sync">
      <button type="button" class="primary" data-testid="run-sync" disabled={busy} onClick={run}>
        Sync orders now
      </button>
      {result && (
        <span class="muted" data-testid="run-sync-result">
          {result}
        </span>
      )}
    </span>
  );
}

export function Dashboard() {
  const status = useFetch((signal) => api.get("status", null, { signal }), []);
  const progress = useObservable(syncProgress);
  useInterval(status.reload, 5000);

  // Alerts change and finished syncs move cursors: reload then.
  useEffect(() => {
    const offA = onTopic("emag.alerts", () => status.reload());
    const offS = onTopic("emag.sync", (e) => e?.done && status.reload());
    return () => {
      offA();
      offS();
    };
  }, [status.reload]);

  useEffect(() => {
    if (status.data) noteRequestsPerMinute(requestsPerMinute(status.data));
  }, [status.data]);

  const s = status.data;
  const runs = Object.values(progress).sort((a, b) => (a.account + a.stream).localeCompare(b.account + b.stream));
  return (
    <div class="page dashboard">
      <div class="page-head">
        <h1>Dashboard</h1>
        <RunSync />
      </div>
      {!s ? (
        <Loading state={status} what="status" />
      ) : (
        <>
          <div class="summary">
            <div class={`big-health health-${s.health?.status}`}>
              <span class="label">Health</span>
              <span class="value" data-testid="health-score">
                {s.health?.score ?? "—"}
              </span>
              <span class="muted">{s.health?.status}</span>
            </div>
            <div class="summary-item">
              <span class="label">Active alerts</span>
              <span class="value">{s.alerts_active ?? activeAlerts(s).length}</span>
            </div>
            <div class="summary-item">
              <span class="label">Last backup</span>
              <span class="value small">
                {s.backup ? (
                  <>
                    <Time iso={s.backup.created_at} /> <span class="muted">{bytes(s.backup.bytes)}</span>
                  </>
                ) : (
                  <span class="muted">none yet</span>
                )}
              </span>
            </div>
            <div class="summary-item">
              <span class="label">Plugin</span>
              <span class="value small">
                {s.plugin} {s.version}
              </span>
            </div>
          </div>
          <div class="grid-2">
            <section class="card">
              <h2>Live sync progress</h2>
              {runs.length === 0 ? <p class="muted">No sync running. Progress appears here as eMAG pages arrive.</p> : runs.map((e) => <SyncProgress key={`${e.account}/${e.stream}`} event={e} />)}
            </section>
            <section class="card">
              <h2>Throughput (last 5 min)</h2>
              <RateChart />
            </section>
          </div>
          <section class="card">
            <h2>Active alerts</h2>
            <AlertList alerts={activeAlerts(s)} />
          </section>
          <div class="accounts">
            {(s.accounts || []).map((a) => (
              <AccountCard key={a.name} account={a} />
            ))}
          </div>
        </>
      )}
    </div>
  );
}
