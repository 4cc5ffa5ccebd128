// The top navigation; the current page is marked for the eye and for a11y.
const PAGES = [
  ["dashboard", "#/", "Dashboard"],
  ["orders", "#/orders", "Orders"],
  ["quarantine", "#/quarantine", "Quarantine"],
  ["offers", "#/offers", "Offers"],
  ["customers", "#/customers", "Customers"],
  ["alerts", "#/alerts", "Alerts & backups"],
];

export function Nav({ current }) {
  return (
    <nav class="nav">
      {PAGES.map(([id, href, text]) => (
        <a key={id} href={href} data-nav={id} class={current === id ? "active" : ""} aria-current={current === id ? "page" : undefined}>
          {text}
        </a>
      ))}
    </nav>
  );
}
