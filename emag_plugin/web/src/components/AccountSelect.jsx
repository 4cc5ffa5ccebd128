// Picks one configured account (the APIs answer per account).
export function AccountSelect({ accounts, value, onChange, allowAll = false }) {
  return (
    <label class="field">
      <span>Account</span>
      <select data-testid="filter-account" value={value || ""} onChange={(e) => onChange(e.currentTarget.value)}>
        {allowAll && <option value="">all accounts</option>}
        {(accounts || []).map((a) => (
          <option key={a} value={a}>
            {a}
          </option>
        ))}
      </select>
    </label>
  );
}
