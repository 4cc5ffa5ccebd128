// Shows whether the live feed (/ws) is connected.
import { liveState } from "../ws.js";
import { useObservable } from "../observable.js";

export function LiveIndicator() {
  const state = useObservable(liveState);
  return (
    <span class={`live live-${state}`} data-testid="live" data-state={state} title="Live feed of sync progress and alerts">
      <span class="dot" />
      {state === "live" ? "live" : "reconnecting"}
    </span>
  );
}
