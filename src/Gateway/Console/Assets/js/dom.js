// Small DOM and formatting helpers. Text always goes in as text nodes, never as HTML, so nothing a link
// holds (a note, a tag, a key) can turn into markup.

/** h("a", { href: "#/x", class: "btn" }, "text", child) builds an element; on* attributes take listeners. */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "class") {
      element.className = value;
    } else if (value === true) {
      element.setAttribute(name, "");
    } else {
      element.setAttribute(name, String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

export function clear(element) {
  element.replaceChildren();
  return element;
}

const locale = navigator.languages?.[0] ?? navigator.language ?? undefined;
const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeStyle: "short" });
const dayFormat = new Intl.DateTimeFormat(locale, { dateStyle: "medium", timeZone: "UTC" });
const integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
const byteUnits = ["byte", "kilobyte", "megabyte", "gigabyte", "terabyte", "petabyte"];
// Intl writes a plain "byte" for the smallest unit in most languages; B is the symbol everywhere.
const byteFormats = byteUnits.map((unit) => unit === "byte"
  ? { format: (n) => `${integer.format(n)} B` }
  : new Intl.NumberFormat(locale, { style: "unit", unit, unitDisplay: "short", maximumFractionDigits: 1 }));
const shortDay = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", timeZone: "UTC" });

export function formatDateTime(value) {
  return value ? dateTime.format(new Date(value)) : "—";
}

/** A UTC day of the stats API ("2026-05-01"), written the reader's way. */
export function formatDay(day) {
  return dayFormat.format(new Date(`${day}T00:00:00Z`));
}

/** A chart axis label for a UTC day given in seconds since the epoch: "3 Nov", "Nov 3", "11月3日"... */
export function formatShortDay(seconds) {
  return shortDay.format(new Date(seconds * 1000));
}

export function formatCount(value) {
  return integer.format(value ?? 0);
}

/** Bytes in decimal units (kB = 1000 B), as the reader's language writes them. */
export function formatBytes(value) {
  let amount = Number(value ?? 0);
  let index = 0;
  while (Math.abs(amount) >= 1000 && index < byteUnits.length - 1) {
    amount /= 1000;
    index++;
  }
  return byteFormats[index].format(amount);
}

/** A bandwidth in bit/s as the API takes it, written in kbit/s or Mbit/s. */
export function formatBitRate(value) {
  if (value === null || value === undefined) return "—";
  return value >= 1e6 ? `${(value / 1e6).toLocaleString(locale, { maximumFractionDigits: 2 })} Mbit/s` : `${(value / 1e3).toLocaleString(locale, { maximumFractionDigits: 0 })} kbit/s`;
}

const stateLabels = {
  active: "Active",
  revoked: "Revoked",
  expired: "Expired",
  exhausted: "Exhausted",
  scheduled: "Scheduled",
};

export function stateBadge(state) {
  return h("span", { class: `badge badge-${state}`, "data-state": state }, stateLabels[state] ?? state);
}

let toastTimer = 0;
let toastShownAt = 0;

/** Hides a message that belongs to an earlier page (one shown in the last second came with this navigation). */
export function dismissStaleToast() {
  if (Date.now() - toastShownAt > 1000) document.getElementById("toast").classList.remove("visible");
}

/** A short message in the live region (read out by screen readers). */
export function toast(message, kind = "info") {
  const element = document.getElementById("toast");
  element.textContent = message;
  element.dataset.kind = kind;
  element.classList.add("visible");
  toastShownAt = Date.now();
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => element.classList.remove("visible"), 5000);
}

/** A problem's title as the start of a message: "Outside this API key's limits" gets its full stop. */
export function sentence(text) {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

/** An error box for a page or a form; role=alert so it is announced. */
export function errorBox(message) {
  return h("div", { class: "error-box", role: "alert" }, message);
}

/**
 * Asks for confirmation in a modal dialog (focus moves into it, Escape cancels).
 * Resolves true when the person confirms.
 */
export function confirmDialog({ title, message, confirm, danger }) {
  return new Promise((resolve) => {
    const titleId = `dialog-title-${Math.random().toString(36).slice(2)}`;
    const dialog = h("dialog", { class: "dialog", "aria-labelledby": titleId },
      h("h2", { id: titleId }, title),
      h("p", {}, message),
      h("form", { method: "dialog", class: "dialog-actions" },
        h("button", { type: "submit", value: "cancel", class: "button" }, "Cancel"),
        h("button", { type: "submit", value: "confirm", class: danger ? "button danger" : "button primary" }, confirm)));
    dialog.addEventListener("close", () => {
      resolve(dialog.returnValue === "confirm");
      dialog.remove();
    });
    document.body.append(dialog);
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  });
}

/** A labelled form field: label, control, hint and an error slot tied to the control for assistive technology. */
export function field({ name, label, control, hint, wide }) {
  const id = `field-${name}`;
  control.id = id;
  control.name = name;
  const hintId = hint ? `${id}-hint` : null;
  const errorId = `${id}-error`;
  control.setAttribute("aria-describedby", [hintId, errorId].filter(Boolean).join(" "));
  return h("div", { class: wide ? "field wide" : "field", "data-field": name },
    h("label", { for: id }, label),
    control,
    hint ? h("p", { class: "hint", id: hintId }, hint) : null,
    h("p", { class: "field-error", id: errorId, hidden: true }));
}

/** Shows the API's field errors at their fields; returns the messages that belong to no field of the form. */
export function showFieldErrors(form, fields) {
  clearFieldErrors(form);
  const unplaced = [];
  let first = null;
  for (const [name, messages] of Object.entries(fields ?? {})) {
    // "allowedCidrs[2]" and "headers.x-oss-meta-a" belong to the field "allowedCidrs" / "headers".
    const base = name.split(/[[.]/)[0];
    const wrapper = form.querySelector(`[data-field="${CSS.escape(base)}"]`);
    if (!wrapper) {
      unplaced.push(...messages.map((message) => `${name}: ${message}`));
      continue;
    }
    const slot = wrapper.querySelector(".field-error");
    slot.textContent = messages.join(" ");
    slot.hidden = false;
    const control = wrapper.querySelector("input, select, textarea");
    control?.setAttribute("aria-invalid", "true");
    first ??= control;
  }
  first?.focus();
  return unplaced;
}

export function clearFieldErrors(form) {
  for (const slot of form.querySelectorAll(".field-error")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  for (const control of form.querySelectorAll("[aria-invalid]")) control.removeAttribute("aria-invalid");
}

/** Copies text; falls back to selecting it where the Clipboard API is not available (plain http on a LAN address). */
export async function copyText(text, source) {
  try {
    await navigator.clipboard.writeText(text);
    toast("Copied to the clipboard.");
  } catch {
    if (source?.select) {
      source.focus();
      source.select();
      toast("Selected: press Ctrl+C (⌘C) to copy.");
    } else {
      toast("Copying is not available here; select the text and copy it.", "error");
    }
  }
}

/** datetime-local value (the reader's time zone) for an ISO instant, and back. */
export function toLocalInput(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const pad = (n) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

export function fromLocalInput(value) {
  return value ? new Date(value).toISOString() : null;
}

/**
 * A table that scrolls sideways on a narrow screen instead of widening the page; with cards, each row
 * turns into a card of labelled values there instead (the labels come from the headers).
 */
export function table(caption, headers, rows, { captionHidden, cards } = {}) {
  if (cards) {
    for (const row of rows) {
      [...row.children].forEach((cell, i) => cell.setAttribute("data-label", headers[i] ?? ""));
    }
  }
  return h("div", { class: cards ? "table-wrap cards" : "table-wrap" },
    h("table", {},
      h("caption", { class: captionHidden ? "visually-hidden" : null }, caption),
      h("thead", {}, h("tr", {}, headers.map((header) => h("th", { scope: "col" }, header)))),
      h("tbody", {}, rows)));
}
