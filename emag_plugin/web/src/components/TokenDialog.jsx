// Asks for the host's admin token when a request first needs it; shows the
// refusal when the host rejected the previous one.
import { useEffect, useRef, useState } from "preact/hooks";
import { tokenPrompt, submitToken, cancelToken } from "../token.js";
import { useObservable } from "../observable.js";

export function TokenDialog() {
  const prompt = useObservable(tokenPrompt);
  const [value, setValue] = useState("");
  const input = useRef(null);
  useEffect(() => {
    if (prompt) {
      setValue("");
      setTimeout(() => input.current?.focus(), 0);
    }
  }, [prompt]);
  if (!prompt) return null;
  const submit = (e) => {
    e.preventDefault();
    if (value.trim()) submitToken(value.trim());
  };
  return (
    <div class="modal-backdrop">
      <form class="modal" role="dialog" aria-modal="true" aria-labelledby="token-title" data-testid="token-dialog" onSubmit={submit}>
        <h2 id="token-title">Admin token</h2>
        <p class="muted">
          This page or action needs the ERP host's admin token (the content of its <code>admin_token_file</code>). It is
          kept for this browser tab only.
        </p>
        {prompt.error && (
          <p class="token-error" data-testid="token-error">
            {prompt.error}
          </p>
        )}
        <input
          ref={input}
          type="password"
          autocomplete="off"
          placeholder="admin token"
          data-testid="token-input"
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
        <div class="modal-actions">
          <button type="button" class="ghost" onClick={cancelToken}>
            Cancel
          </button>
          <button type="submit" class="primary" data-testid="token-submit">
            Use token
          </button>
        </div>
      </form>
    </div>
  );
}
