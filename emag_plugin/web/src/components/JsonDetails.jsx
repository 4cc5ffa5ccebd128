// A raw JSON payload, folded by default (it is long).
export function JsonDetails({ value, summary = "Raw payload" }) {
  return (
    <details class="raw">
      <summary>{summary}</summary>
      <pre>{JSON.stringify(value, null, 2)}</pre>
    </details>
  );
}
