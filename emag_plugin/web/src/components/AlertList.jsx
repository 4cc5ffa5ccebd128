// The active alerts (from api/status, refreshed on emag.alerts events).
import { Time } from "./Time.jsx";

export function AlertList({ alerts }) {
  return (
    <ul class="alerts" data-testid="active-alerts">
      {alerts.length === 0 && <li class="muted">No active alerts.</li>}
      {alerts.map((a) => (
        <li key={`${a.account}-${a.id}`} data-testid="alert" data-alert-id={a.id} data-severity={a.severity} class={`alert sev-${a.severity}`}>
          <span class="badge">{a.severity}</span> <strong>{a.rule}</strong> {a.message}{" "}
          <span class="muted">
            since <Time iso={a.raised_at} />
          </span>
        </li>
      ))}
    </ul>
  );
}
