// The page frame: navigation, live indicator, error banner and token
// dialog around the page the hash names.
import { useEffect } from "preact/hooks";
import { useRoute } from "./router.js";
import { clearError, currentError } from "./errors.js";
import { Nav } from "./components/Nav.jsx";
import { LiveIndicator } from "./components/LiveIndicator.jsx";
import { ErrorBanner } from "./components/ErrorBanner.jsx";
import { TokenDialog } from "./components/TokenDialog.jsx";
import { Dashboard } from "./pages/dashboard.jsx";
import { Orders } from "./pages/orders.jsx";
import { OrderDetail } from "./pages/order_detail.jsx";
import { Quarantine } from "./pages/quarantine.jsx";
import { Offers } from "./pages/offers.jsx";
import { Customers } from "./pages/customers.jsx";
import { CustomerDetail } from "./pages/customer_detail.jsx";
import { Alerts } from "./pages/alerts.jsx";

function page({ parts, params }) {
  const [top, a, b] = parts;
  switch (top) {
    case undefined:
      return ["dashboard", <Dashboard />];
    case "orders":
      return a && b ? ["orders", <OrderDetail account={a} id={b} />] : ["orders", <Orders params={params} />];
    case "quarantine":
      return ["quarantine", <Quarantine params={params} />];
    case "offers":
      return ["offers", <Offers params={params} account={a} offerId={b} />];
    case "customers":
      return a && b ? ["customers", <CustomerDetail account={a} customerKey={b} />] : ["customers", <Customers params={params} />];
    case "alerts":
      return ["alerts", <Alerts />];
    default:
      return ["", <p class="page">There is no page “{parts.join("/")}”. <a href="#/">Go to the dashboard</a>.</p>];
  }
}

export function App() {
  const route = useRoute();
  const [current, content] = page(route);
  // A new page starts without the previous page's error, except an
  // unreachable host, which still holds.
  const where = route.parts.join("/");
  useEffect(() => {
    const cur = currentError.get();
    if (cur && cur.kind !== "unreachable") clearError();
  }, [where]);
  return (
    <div class="shell">
      <header class="topbar">
        <span class="brand">eMAG marketplace</span>
        <Nav current={current} />
        <LiveIndicator />
      </header>
      <ErrorBanner />
      <main>{content}</main>
      <TokenDialog />
    </div>
  );
}
