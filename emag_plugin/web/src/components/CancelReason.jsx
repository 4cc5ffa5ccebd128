// eMAG's cancellation reason in the chosen language; the code in the title.
import { label, lang } from "../lang.js";
import { useObservable } from "../observable.js";

export function CancelReason({ cancellation }) {
  const l = useObservable(lang);
  if (!cancellation) return null;
  return (
    <span class="cancel-reason" data-testid="cancel-reason" title={`code ${cancellation.code}`}>
      {label(cancellation, l)}
    </span>
  );
}
