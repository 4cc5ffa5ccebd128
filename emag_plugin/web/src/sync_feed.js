// Live sync progress from the emag.sync topic, kept outside the pages so
// it survives navigation: the latest event per account/stream plus a short
// history of items/s for the dashboard chart.
import { observable } from "./observable.js";
import { onTopic } from "./ws.js";

export const syncProgress = observable({}); // "account/stream" -> event + at

// One sample a second: [unix seconds, items/s of running syncs].
const KEEP_S = 300;
export const rateSamples = observable({ t: [], rate: [], rpm: [] });

let lastRpm = null; // requests/min from the latest api/status, fed by the dashboard

export function noteRequestsPerMinute(rpm) {
  lastRpm = rpm;
}

// Rates reported since the last sample: short syncs start and finish
// between two samples and would otherwise never show on the chart.
let bucket = {};

function runningRate() {
  const rates = { ...bucket };
  const now = Date.now();
  for (const [key, e] of Object.entries(syncProgress.get())) {
    // A stream that stopped reporting for 5 s is not counted as running.
    if (!(key in rates) && !e.done && now - e.at < 5000) rates[key] = Number(e.rate) || 0;
  }
  bucket = {};
  return Object.values(rates).reduce((a, b) => a + b, 0);
}

function sample() {
  const t = Math.floor(Date.now() / 1000);
  rateSamples.set((s) => {
    const cut = t - KEEP_S;
    let i = 0;
    while (i < s.t.length && s.t[i] < cut) i++;
    return { t: [...s.t.slice(i), t], rate: [...s.rate.slice(i), runningRate()], rpm: [...s.rpm.slice(i), lastRpm] };
  });
}

let started = false;
export function startSyncFeed() {
  if (started) return;
  started = true;
  onTopic("emag.sync", (event) => {
    if (!event || !event.account || !event.stream) return;
    const key = `${event.account}/${event.stream}`;
    bucket[key] = Number(event.rate) || 0;
    syncProgress.set((m) => ({ ...m, [key]: { ...event, at: Date.now() } }));
  });
  setInterval(sample, 1000);
}
