// Links: the list with search, bucket and state filters, a page at a time (the API's cursor).
import * as api from "./api.js";
import { h, clear, errorBox, field, formatBytes, formatCount, formatDateTime, stateBadge, table } from "./dom.js";

const states = ["active", "revoked", "expired", "exhausted", "scheduled"];
const pageSize = 25;

// Kept while the tab lives, so coming back from a link shows the same list (for the same key).
let view = null;

export async function linksPage(container) {
  const info = api.me();
  if (view?.key !== info.name) view = { key: info.name, q: "", bucket: "", state: "", cursors: [null] };
  const search = h("input", { type: "search", value: view.q, placeholder: "code, key or tag", autocomplete: "off" });
  const bucket = h("select", {},
    h("option", { value: "" }, "All buckets"),
    info.buckets.map((alias) => h("option", { value: alias, selected: alias === view.bucket }, alias)));
  const state = h("select", {},
    h("option", { value: "" }, "Any state"),
    states.map((name) => h("option", { value: name, selected: name === view.state }, name[0].toUpperCase() + name.slice(1))));
  const filters = h("form", { class: "filters", role: "search", "aria-label": "Filter links" },
    field({ name: "q", label: "Search", control: search }),
    field({ name: "bucket", label: "Bucket", control: bucket }),
    field({ name: "state", label: "State", control: state }),
    h("button", { type: "submit", class: "button" }, "Search"));
  const results = h("div", { class: "results", "aria-live": "polite" });

  container.append(
    h("div", { class: "page-head" },
      h("h1", { tabindex: "-1" }, "Links"),
      api.can("links:write") ? h("a", { href: "#/new", class: "button primary" }, "New link") : null),
    filters,
    results);

  const load = async () => {
    clear(results).append(h("p", { class: "hint" }, "Loading…"));
    const cursor = view.cursors[view.cursors.length - 1];
    try {
      const page = await api.request("GET", api.path("links", { limit: pageSize, q: view.q, bucket: view.bucket, state: view.state, cursor }));
      showPage(results, page, load);
    } catch (error) {
      clear(results).append(errorBox(error.message));
    }
  };

  const apply = (event) => {
    event?.preventDefault();
    view.q = search.value.trim();
    view.bucket = bucket.value;
    view.state = state.value;
    view.cursors = [null];
    load();
  };
  filters.addEventListener("submit", apply);
  bucket.addEventListener("change", apply);
  state.addEventListener("change", apply);
  await load();
}

function showPage(results, page, load) {
  clear(results);
  const rows = page.items.map((link) => h("tr", { "data-code": link.code },
    h("th", { scope: "row" }, h("a", { href: `#/links/${encodeURIComponent(link.code)}` }, link.code)),
    h("td", {}, stateBadge(link.state)),
    h("td", {}, link.bucket),
    h("td", { class: "key-cell" }, link.key),
    h("td", {}, link.tags.length ? link.tags.map((tag) => h("span", { class: "tag" }, tag)) : "—"),
    h("td", { class: "num" }, formatCount(link.downloads)),
    h("td", { class: "num" }, formatBytes(link.bytes)),
    h("td", {}, formatDateTime(link.createdAt)),
    h("td", {}, formatDateTime(link.expiresAt))));

  if (rows.length === 0) {
    results.append(h("p", { class: "empty" }, page.nextCursor ? "No matching links in this stretch of the list; there are more to search." : "No links match."));
  } else {
    results.append(table("Links, newest first", ["Code", "State", "Bucket", "Object key", "Tags", "Downloads", "Bytes", "Created", "Expires"], rows, { captionHidden: true, cards: true }));
  }

  const previous = h("button", { type: "button", class: "button", disabled: view.cursors.length === 1 }, "Previous page");
  const next = h("button", { type: "button", class: "button", disabled: !page.nextCursor }, "Next page");
  previous.addEventListener("click", () => {
    view.cursors.pop();
    load();
  });
  next.addEventListener("click", () => {
    view.cursors.push(page.nextCursor);
    load();
  });
  results.append(h("nav", { class: "pager", "aria-label": "Pages" }, previous, h("span", {}, `Page ${view.cursors.length}`), next));
}
