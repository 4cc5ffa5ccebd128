// Placeholder while the first answer is awaited, or when it failed.
export function Loading({ state, what = "data" }) {
  if (state.error && !state.data) return <p class="muted">Could not load the {what} (see the message above).</p>;
  return <p class="muted">Loading {what}…</p>;
}
