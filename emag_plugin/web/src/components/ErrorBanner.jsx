// The one error banner: what failed and what to do, by kind. Rate limits
// count down from Retry-After; unreachable offers a retry.
import { useEffect, useState } from "preact/hooks";
import { currentError, clearError, retryAll, TOKEN_NOT_CONFIGURED } from "../errors.js";
import { useObservable } from "../observable.js";

// Seconds left of eMAG's Retry-After, read from the clock at each render
// (a clock kept in state would be stale on the banner's first render).
function useCountdown(err) {
  const [, setTick] = useState(0);
  const active = err?.kind === "rate_limited";
  useEffect(() => {
    if (!active) return undefined;
    const id = setInterval(() => setTick((n) => n + 1), 250);
    return () => clearInterval(id);
  }, [active, err?.at]);
  if (!active) return null;
  return Math.max(0, Math.ceil(err.retryAfter - (Date.now() - err.at) / 1000));
}

export function ErrorBanner() {
  const err = useObservable(currentError);
  const left = useCountdown(err);
  if (!err) return null;
  const text = err.kind === "rate_limited" ? `eMAG rate limit reached (429): waiting ${left} s` : err.message;
  const canRetry = err.kind === "unreachable" || (err.kind === "rate_limited" && left === 0) || err.kind === "other";
  return (
    <div class={`banner banner-${err.kind}`} role="alert">
      {/* The messages sit inside the element so its text carries them too. */}
      <div class="banner-body" data-testid="error" data-kind={err.kind}>
        <div class="banner-text">{text}</div>
        {err.messages?.length > 0 && (
          <ul class="banner-messages">
            {err.messages.map((m, i) => (
              <li key={i}>{m}</li>
            ))}
          </ul>
        )}
      </div>
      {err.kind === "admin_token" && err.message !== TOKEN_NOT_CONFIGURED && (
        <button type="button" data-testid="error-token" onClick={retryAll}>
          Enter token
        </button>
      )}
      {canRetry && (
        <button type="button" data-testid="error-retry" onClick={retryAll}>
          Retry
        </button>
      )}
      <button type="button" class="ghost" title="Dismiss" aria-label="Dismiss" onClick={() => clearError()}>
        ×
      </button>
    </div>
  );
}
