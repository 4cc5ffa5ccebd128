// Switches eMAG's labels (cancellation reasons) between RO and EN.
import { lang, toggleLang } from "../lang.js";
import { useObservable } from "../observable.js";

export function LangToggle() {
  const l = useObservable(lang);
  return (
    <button type="button" data-testid="lang" data-lang={l} title={`eMAG labels in ${l === "ro" ? "Romanian" : "English"}: click for ${l === "ro" ? "English" : "Romanian"}`} onClick={toggleLang}>
      {l === "ro" ? "RO" : "EN"}
    </button>
  );
}
