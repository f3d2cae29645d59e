// The API key: entered once, kept in this browser's localStorage, sent by api.ts as
// `Authorization: Bearer`. Without a stored key nothing is sent (the service's single-user mode).
import { h } from "./dom";

const STORAGE_KEY = "trainyard.apiKey";
const listeners = new Set<() => void>();

export function storedKey(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY) || null;
  } catch {
    return null; // storage disabled: behave as if no key was stored
  }
}

function setStoredKey(key: string | null): void {
  if (key) localStorage.setItem(STORAGE_KEY, key);
  else localStorage.removeItem(STORAGE_KEY);
  for (const listener of listeners) listener();
}

/** Called whenever the key is saved or forgotten. */
export function onKeyChange(listener: () => void): void {
  listeners.add(listener);
}

let dialog: HTMLDialogElement | null = null;
let pending: Promise<boolean> | null = null;

function keyDialog(): HTMLDialogElement {
  if (dialog) return dialog;
  dialog = h(
    "dialog",
    { id: "key-dialog", class: "dialog" },
    h(
      "form",
      { method: "dialog" },
      h("h2", {}, "API key"),
      h("p", { class: "dialog-reason", role: "alert" }),
      h("p", { class: "muted" }, "Kept in this browser only and sent with every request as ", h("code", {}, "Authorization: Bearer"), "."),
      h("input", { id: "key-input", name: "key", type: "password", autocomplete: "off", spellcheck: "false", placeholder: "paste your key" }),
      h(
        "div",
        { class: "dialog-actions" },
        h("button", { class: "button primary", value: "save", id: "key-save" }, "Save key"),
        h("button", { class: "button", value: "forget", id: "key-forget", formnovalidate: true }, "Forget key"),
        h("button", { class: "button subtle", value: "cancel", id: "key-cancel", formnovalidate: true }, "Cancel"),
      ),
    ),
  );
  document.body.append(dialog);
  return dialog;
}

let dismissed = false; // the user closed a prompt that a refused request opened: do not open another

/**
 * Asks for a key because a request was refused (401 with `reason`); resolves true once a key is saved,
 * false when the dialog is dismissed or the key forgotten. Concurrent callers share one dialog. After
 * the user dismissed such a prompt, refused requests fail at once until the key button is used.
 */
export function askForKey(reason: string): Promise<boolean> {
  return dismissed && !pending ? Promise.resolve(false) : openDialog(reason);
}

/** The key button: change, forget or enter a key. */
export function editKey(): Promise<boolean> {
  dismissed = false;
  return openDialog();
}

function openDialog(reason?: string): Promise<boolean> {
  if (pending) return pending;
  const el = keyDialog();
  const input = el.querySelector<HTMLInputElement>("#key-input")!;
  const reasonEl = el.querySelector<HTMLElement>(".dialog-reason")!;
  reasonEl.textContent = reason ?? "";
  reasonEl.hidden = !reason;
  el.querySelector<HTMLButtonElement>("#key-forget")!.hidden = !storedKey();
  input.value = storedKey() ?? "";
  el.returnValue = "";
  pending = new Promise<boolean>((resolve) => {
    el.addEventListener(
      "close",
      () => {
        pending = null;
        const key = input.value.trim();
        const choice = el.returnValue === "save" && !key ? "cancel" : el.returnValue;
        dismissed = choice !== "save" && choice !== "forget"; // Cancel or Escape
        if (choice === "save") setStoredKey(key);
        if (choice === "forget") setStoredKey(null);
        resolve(choice === "save");
      },
      { once: true },
    );
  });
  el.showModal();
  input.focus();
  return pending;
}
