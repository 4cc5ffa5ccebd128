// Display helpers. Money stays the decimal string the API sent (never a
// float); times are shown in the browser's zone with UTC kept for titles.

export function localTime(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

export function utcTitle(iso) {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${d.toISOString().replace(".000Z", "Z")} UTC`;
}

// "2026-11-30 08:18:28" style text without a zone mark is already local to
// the account: only ISO-with-Z values are converted.
export function money(amount, currency) {
  if (amount === null || amount === undefined || amount === "") return "—";
  return `${trimZeros(String(amount))} ${currency || ""}`.trim();
}

// "940.5437" → "940.5437", "12.5000" → "12.50": at least two decimals, no
// trailing zeros beyond that — string work only.
export function trimZeros(s) {
  const m = /^(-?\d+)\.(\d+)$/.exec(s);
  if (!m) return s;
  let frac = m[2].replace(/0+$/, "");
  while (frac.length < 2) frac += "0";
  return `${m[1]}.${frac}`;
}

export function num(n, digits = 0) {
  if (n === null || n === undefined || Number.isNaN(Number(n))) return "—";
  return Number(n).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

export function percent(ratio, digits = 1) {
  if (ratio === null || ratio === undefined || Number.isNaN(Number(ratio))) return "—";
  return `${(Number(ratio) * 100).toFixed(digits)}%`;
}

export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(Number(seconds))) return "—";
  let s = Math.max(0, Math.round(Number(seconds)));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  s %= 60;
  if (m < 60) return `${m} min ${s} s`;
  const h = Math.floor(m / 60);
  return `${h} h ${m % 60} min`;
}

export function bytes(n) {
  if (n === null || n === undefined) return "—";
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

// Seconds from now until an ISO time (negative when past).
export function secondsUntil(iso, now = Date.now()) {
  const t = new Date(iso).getTime();
  return Number.isNaN(t) ? null : Math.round((t - now) / 1000);
}
