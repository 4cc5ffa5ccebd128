// One running (or just finished) sync stream, from its latest emag.sync
// event: a progress bar, items/s, ETA and errors.
import { duration, num } from "../format.js";

export function SyncProgress({ event }) {
  const total = Number(event.total) || 0;
  const processed = Number(event.processed) || 0;
  const done = Boolean(event.done);
  // A failed pass ends with done and the error (the cursor did not move).
  const failed = done && Boolean(event.error);
  return (
    <div
      class={`sync-progress ${failed ? "failed" : done ? "done" : "running"}`}
      data-testid="sync-progress"
      data-account={event.account}
      data-stream={event.stream}
      data-processed={String(processed)}
      data-total={String(total)}
      data-done={done ? "true" : "false"}
      data-failed={failed ? "true" : "false"}
    >
      <div class="sync-head">
        <strong>{event.account}</strong> <span class="muted">{event.stream}</span>
        <span class={`sync-state ${failed ? "bad" : ""}`}>{failed ? "failed" : done ? "done" : "running"}</span>
      </div>
      {/* Without a total yet the bar is indeterminate. */}
      {total > 0 ? <progress max={total} value={Math.min(processed, total)} /> : failed ? null : <progress />}
      {failed && (
        <div class="bad" data-testid="sync-error">
          {event.error}
        </div>
      )}
      <div class="sync-figures">
        <span>
          {num(processed)} / {total > 0 ? num(total) : "?"}
        </span>
        <span>{num(event.rate, 1)} items/s</span>
        <span>ETA {done ? "—" : duration(event.eta_s)}</span>
        <span class={Number(event.errors) > 0 ? "bad" : ""}>{num(event.errors)} errors</span>
      </div>
    </div>
  );
}
