// Colored badges for order status, order type and customer risk.
export const STATUS_NAMES = { 0: "canceled", 1: "new", 2: "in progress", 3: "prepared", 4: "finalized", 5: "returned" };

export function StatusBadge({ status, name }) {
  const text = name || STATUS_NAMES[status] || `status ${status}`;
  return (
    <span class={`badge status-${status}`} data-testid="status-badge" data-status={status}>
      {text}
    </span>
  );
}

export function TypeBadge({ type }) {
  return (
    <span class={`badge type-${String(type).toLowerCase()}`} data-testid="type-badge" data-type={type}>
      {type}
    </span>
  );
}

export function RiskBadge({ level }) {
  return (
    <span class={`badge risk-${level || "unknown"}`} data-testid="risk-badge" data-risk={level || ""}>
      {level || "—"}
    </span>
  );
}
