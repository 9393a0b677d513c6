// The audit log of admin actions, with filters (link code, API key name) and paging.
import * as api from "./api.js";
import { h, clear, errorBox, field, formatDateTime, table } from "./dom.js";

// Kept while the tab lives, for the same key.
let view = null;

/** Entries as a table; the link page shows its own trail without the code column. */
export function auditTable(items, { showCode = true } = {}) {
  const rows = items.map((entry) => h("tr", {},
    h("td", {}, formatDateTime(entry.at)),
    h("td", {}, entry.actor),
    h("td", {}, h("span", { class: `action action-${entry.action}` }, entry.action)),
    showCode ? h("td", {}, entry.code ? h("a", { href: `#/links/${encodeURIComponent(entry.code)}` }, entry.code) : "—") : null,
    h("td", { class: "key-cell" }, entry.bucket ? `${entry.bucket}: ${entry.key ?? ""}` : "—"),
    h("td", { class: "details-cell" }, entry.details ? describe(entry.details) : "—")));
  const headers = ["When", "Key", "Action", ...(showCode ? ["Link"] : []), "Object", "Details"];
  return table("Audit entries, newest first", headers, rows, { captionHidden: true, cards: true });
}

function describe(details) {
  return Object.entries(details).map(([name, value]) => `${name}: ${typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)}`).join("; ");
}

export async function auditPage(container) {
  const name = api.me().name;
  if (view?.key !== name) view = { key: name, code: "", actor: "", cursors: [null] };
  const code = h("input", { type: "text", value: view.code, autocomplete: "off", spellcheck: "false" });
  const actor = h("input", { type: "text", value: view.actor, autocomplete: "off", spellcheck: "false" });
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter the audit log" },
    field({ name: "code", label: "Link code", control: code }),
    field({ name: "actor", label: "API key name", control: actor }),
    h("button", { type: "submit", class: "button" }, "Filter"));
  const results = h("div", { class: "results", "aria-live": "polite" });
  container.append(h("h1", { tabindex: "-1" }, "Audit log"),
    h("p", { class: "lead" }, "Who (API key) did what to which link or object, and when. Downloads are not listed here; they are counted in Traffic."),
    filters, results);

  const load = async () => {
    clear(results).append(h("p", { class: "hint" }, "Loading…"));
    try {
      const page = await api.request("GET", api.path("audit", { limit: 50, code: view.code, actor: view.actor, cursor: view.cursors[view.cursors.length - 1] }));
      clear(results).append(page.items.length ? auditTable(page.items) : h("p", { class: "empty" }, "No entries match."));
      const previous = h("button", { type: "button", class: "button", disabled: view.cursors.length === 1 }, "Previous page");
      const next = h("button", { type: "button", class: "button", disabled: !page.nextCursor }, "Next page");
      previous.addEventListener("click", () => { view.cursors.pop(); load(); });
      next.addEventListener("click", () => { view.cursors.push(page.nextCursor); load(); });
      results.append(h("nav", { class: "pager", "aria-label": "Pages" }, previous, h("span", {}, `Page ${view.cursors.length}`), next));
    } catch (error) {
      clear(results).append(errorBox(error.message));
    }
  };
  filters.addEventListener("submit", (event) => {
    event.preventDefault();
    view.code = code.value.trim();
    view.actor = actor.value.trim();
    view.cursors = [null];
    load();
  });
  await load();
}
