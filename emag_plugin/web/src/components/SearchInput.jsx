// A text filter applied on Enter or once typing stops, so each keystroke
// does not cost a request.
import { useEffect, useRef, useState } from "preact/hooks";

export function SearchInput({ value, onApply, testid, placeholder, delay = 500 }) {
  const [text, setText] = useState(value || "");
  const timer = useRef(null);
  useEffect(() => setText(value || ""), [value]);
  useEffect(() => () => clearTimeout(timer.current), []);
  const apply = (v) => {
    clearTimeout(timer.current);
    if ((v || "") !== (value || "")) onApply(v);
  };
  return (
    <input
      type="search"
      data-testid={testid}
      placeholder={placeholder}
      value={text}
      onInput={(e) => {
        const v = e.currentTarget.value;
        setText(v);
        clearTimeout(timer.current);
        timer.current = setTimeout(() => apply(v), delay);
      }}
      onKeyDown={(e) => e.key === "Enter" && apply(e.currentTarget.value)}
    />
  );
}
