// The order's action buttons — only those the API lists in
// allowed_actions — with the cancel-reason picker and the storno quantities.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api.js";
import { label, lang } from "../lang.js";
import { useObservable } from "../observable.js";

const BUTTONS = {
  acknowledge: "Acknowledge",
  prepared: "Mark prepared",
  finalized: "Mark finalized",
  cancel: "Cancel order…",
  storno: "Storno lines…",
};

function CancelPicker({ busy, onConfirm, onClose }) {
  const l = useObservable(lang);
  const [reasons, setReasons] = useState([]);
  const [code, setCode] = useState("");
  useEffect(() => {
    let live = true;
    api.get("cancellation-reasons").then((r) => {
      if (!live) return;
      setReasons(r.reasons || []);
      if (r.reasons?.length) setCode(String(r.reasons[0].code));
    }, () => {}); // the banner already says why
    return () => {
      live = false;
    };
  }, []);
  return (
    <div class="picker" data-testid="cancel-picker">
      <label>
        Reason{" "}
        <select data-testid="cancel-reason-select" value={code} onChange={(e) => setCode(e.currentTarget.value)}>
          {reasons.map((r) => (
            <option key={r.code} value={String(r.code)}>
              {label(r, l)}
            </option>
          ))}
        </select>
      </label>
      <button type="button" class="danger" data-testid="cancel-confirm" disabled={busy || !code} onClick={() => onConfirm(Number(code))}>
        Cancel the order
      </button>
      <button type="button" class="ghost" onClick={onClose}>
        Close
      </button>
    </div>
  );
}

function StornoPicker({ lines, busy, onConfirm, onClose }) {
  const [qty, setQty] = useState(() => Object.fromEntries(lines.map((l) => [l.id, String(l.quantity)])));
  const changed = lines.filter((l) => qty[l.id] !== "" && Number(qty[l.id]) !== Number(l.quantity));
  return (
    <div class="picker" data-testid="storno-picker">
      <table class="table compact">
        <thead>
          <tr>
            <th>Line</th>
            <th class="num">Now</th>
            <th class="num">New quantity</th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr key={l.id}>
              <td>{l.name}</td>
              <td class="num">{l.quantity}</td>
              <td class="num">
                <input
                  class="storno-qty"
                  type="number"
                  min="0"
                  max={l.quantity}
                  step="1"
                  data-testid="storno-qty"
                  data-line-id={l.id}
                  value={qty[l.id]}
                  onInput={(e) => setQty({ ...qty, [l.id]: e.currentTarget.value })}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <button
        type="button"
        class="danger"
        data-testid="storno-confirm"
        disabled={busy || changed.length === 0}
        onClick={() => onConfirm(changed.map((l) => ({ id: l.id, quantity: Number(qty[l.id]) })))}
      >
        Send storno ({changed.length} line{changed.length === 1 ? "" : "s"})
      </button>
      <button type="button" class="ghost" onClick={onClose}>
        Close
      </button>
    </div>
  );
}

function describe(action, body, extra) {
  const status = body?.order?.status_name ? ` — the order is now ${body.order.status_name}` : "";
  const what = {
    acknowledge: "Acknowledged on eMAG",
    prepared: "Marked prepared on eMAG",
    finalized: "Marked finalized on eMAG",
    cancel: `Canceled on eMAG (reason code ${extra})`,
    storno: `Storno sent to eMAG for ${extra} line(s)`,
  }[action];
  return `${what}${status}.${body?.warning ? ` ${body.warning}` : ""}`;
}

export function OrderActions({ order, onDone }) {
  const [open, setOpen] = useState(null); // "cancel" | "storno" | null
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState(null); // {ok, text}
  const allowed = order.allowed_actions || [];
  const base = `orders/${encodeURIComponent(order.account)}/${order.id}`;

  const run = async (action, path, body, extra) => {
    setBusy(true);
    setResult(null);
    try {
      const r = await api.post(`${base}/${path}`, body);
      setResult({ ok: true, text: describe(action, r, extra) });
      setOpen(null);
      onDone(r);
    } catch (e) {
      const more = e.messages?.length ? ` ${e.messages.join("; ")}` : "";
      setResult({ ok: false, text: `${BUTTONS[action].replace("…", "")} failed: ${e.message}${more}` });
    } finally {
      setBusy(false);
    }
  };

  const click = (a) => {
    if (a === "acknowledge") return run(a, "acknowledge", {});
    if (a === "prepared") return run(a, "status", { status: 3 });
    if (a === "finalized") return run(a, "status", { status: 4 });
    setOpen(open === a ? null : a);
    return undefined;
  };

  return (
    <div class="order-actions">
      <div class="actions">
        {allowed.length === 0 && <span class="muted">No action is possible on this order now.</span>}
        {allowed.map((a) => (
          <button key={a} type="button" data-action={a} disabled={busy} class={a === "cancel" || a === "storno" ? "danger" : "primary"} onClick={() => click(a)}>
            {BUTTONS[a] || a}
          </button>
        ))}
      </div>
      {open === "cancel" && allowed.includes("cancel") && (
        <CancelPicker busy={busy} onClose={() => setOpen(null)} onConfirm={(code) => run("cancel", "cancel", { reason: code }, code)} />
      )}
      {open === "storno" && allowed.includes("storno") && (
        <StornoPicker lines={order.lines || []} busy={busy} onClose={() => setOpen(null)} onConfirm={(lines) => run("storno", "storno", { lines }, lines.length)} />
      )}
      {result && (
        <div class={`action-result ${result.ok ? "ok" : "failed"}`} data-testid="action-result" data-ok={String(result.ok)}>
          {result.text}
        </div>
      )}
    </div>
  );
}
