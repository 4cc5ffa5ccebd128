// A UTC time shown in the browser's zone, the UTC value in the title.
import { localTime, utcTitle } from "../format.js";

export function Time({ iso, fallback = "—" }) {
  if (!iso) return <span class="muted">{fallback}</span>;
  return (
    <time dateTime={iso} title={utcTitle(iso)}>
      {localTime(iso)}
    </time>
  );
}
