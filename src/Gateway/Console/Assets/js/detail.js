// One link: its short URL (copy, QR code), state and counters, a per-day chart, editing, revoke /
// restore / delete with confirmation, and its audit trail.
import * as api from "./api.js";
import { h, clear, confirmDialog, copyText, errorBox, formatBitRate, formatBytes, formatCount, formatDateTime, stateBadge, toast } from "./dom.js";
import { dayChart } from "./chart.js";
import { linkForm } from "./linkform.js";
import { auditTable } from "./audit.js";

let chartDays = 30;

export async function detailPage(container, code) {
  const link = await api.request("GET", `links/${encodeURIComponent(code)}`);
  const refresh = async () => {
    const again = await api.request("GET", `links/${encodeURIComponent(code)}`);
    clear(container);
    await show(container, again, refresh);
  };
  await show(container, link, refresh);
}

async function show(container, link, refresh) {
  const code = link.code;
  const urlBox = h("input", { type: "text", readonly: true, value: link.url, class: "url-box", "aria-label": "Short URL" });
  const head = h("div", { class: "page-head" },
    h("h1", { tabindex: "-1" }, "Link ", h("code", {}, code)),
    stateBadge(link.state));

  const share = h("section", { class: "card share", "aria-labelledby": "share-title" },
    h("h2", { id: "share-title" }, "Share"),
    h("div", { class: "url-row" }, urlBox,
      h("button", { type: "button", class: "button primary", onclick: () => copyText(link.url, urlBox) }, "Copy")),
    h("div", { class: "qr" }, qrImage(code)));

  const counters = h("section", { class: "card", "aria-labelledby": "counters-title" },
    h("h2", { id: "counters-title" }, "Counters"),
    h("dl", { class: "counters" },
      h("div", {}, h("dt", {}, "Downloads"), h("dd", { "data-counter": "downloads" }, formatCount(link.downloads))),
      h("div", {}, h("dt", {}, "Bytes served"), h("dd", { "data-counter": "bytes" }, formatBytes(link.bytes))),
      h("div", {}, h("dt", {}, "Download limit"), h("dd", { "data-counter": "limit" }, link.maxDownloads ? `${formatCount(link.usedDownloads)} of ${formatCount(link.maxDownloads)} used` : "None"))),
    h("button", { type: "button", class: "button", onclick: () => refresh().then(() => toast("Refreshed.")) }, "Refresh"));

  const details = h("section", { class: "card", "aria-labelledby": "details-title" },
    h("h2", { id: "details-title" }, "Details"),
    h("dl", { class: "details" },
      row("Bucket", link.bucket),
      row("Object key", h("code", {}, link.key)),
      link.versionId ? row("Version", link.versionId) : null,
      row("Mode", link.mode === "redirect" ? "Redirect (302 to a short-lived OSS URL)" : "Proxy (streamed and metered)"),
      row("File name", link.filename ?? "From the key"),
      row("Open as", link.disposition === "inline" ? "Inline" : "Download"),
      link.contentType ? row("Content type", link.contentType) : null,
      row("Created", `${formatDateTime(link.createdAt)}${link.owner ? ` by ${link.owner}` : ""}`),
      row("Valid from", link.notBefore ? formatDateTime(link.notBefore) : "At once"),
      row("Expires", link.expiresAt ? formatDateTime(link.expiresAt) : "Never"),
      row("Bandwidth cap", link.trafficLimit ? formatBitRate(link.trafficLimit) : "None"),
      row("Allowed networks", link.allowedCidrs.length ? link.allowedCidrs.join(", ") : "Anyone"),
      link.bindClientIp ? row("Redirects bound to", "the clicking client's IP") : null,
      link.pinnedEtag ? row("Pinned ETag", h("code", {}, link.pinnedEtag)) : null,
      row("Tags", link.tags.length ? link.tags.map((tag) => h("span", { class: "tag" }, tag)) : "None"),
      link.note ? row("Note", link.note) : null));

  container.append(head, h("div", { class: "columns" }, share, counters), details);

  if (api.can("links:write")) container.append(actions(link, refresh));
  if (api.can("stats:read")) container.append(await statsSection(code));
  container.append(await trailSection(code));
}

function row(term, description) {
  return h("div", {}, h("dt", {}, term), h("dd", {}, description));
}

/** The QR code, fetched with the bearer key (an <img src> cannot send it) and shown from a blob: URL. */
function qrImage(code) {
  const holder = h("div", { class: "qr-holder" }, h("p", { class: "hint" }, "Loading the QR code…"));
  api.request("GET", `links/${encodeURIComponent(code)}/qr.svg`, { blob: true }).then((blob) => {
    const url = URL.createObjectURL(blob);
    holder.replaceChildren(
      h("img", { src: url, alt: `QR code of the short URL of ${code}`, width: 160, height: 160, class: "qr-image" }),
      h("a", { href: url, download: `${code}-qr.svg`, class: "button" }, "Download QR code (SVG)"));
  }, (error) => holder.replaceChildren(errorBox(`QR code: ${error.message}`)));
  return holder;
}

function actions(link, refresh) {
  const code = encodeURIComponent(link.code);
  const editHost = h("div", { class: "edit-host" });
  const run = async (button, work) => {
    button.disabled = true;
    try {
      await work();
    } catch (error) {
      toast(error.message, "error");
    } finally {
      button.disabled = false;
    }
  };

  const edit = h("button", { type: "button", class: "button", "aria-expanded": "false" }, "Edit");
  edit.addEventListener("click", () => {
    if (editHost.childElementCount) {
      clear(editHost);
      edit.setAttribute("aria-expanded", "false");
      return;
    }
    edit.setAttribute("aria-expanded", "true");
    editHost.append(h("h2", { tabindex: "-1" }, "Edit link"), linkForm({
      link,
      onSaved: async () => {
        toast("Changes saved.");
        await refresh();
      },
      onCancel: () => {
        clear(editHost);
        edit.setAttribute("aria-expanded", "false");
        edit.focus();
      },
    }));
    editHost.querySelector("h2").focus();
  });

  const revoked = link.state === "revoked";
  const toggle = h("button", { type: "button", class: revoked ? "button" : "button danger" }, revoked ? "Restore" : "Revoke");
  toggle.addEventListener("click", () => run(toggle, async () => {
    const yes = await confirmDialog(revoked
      ? { title: "Restore this link?", message: `Downloads through ${link.url} work again (within its expiry and limits).`, confirm: "Restore" }
      : { title: "Revoke this link?", message: `Downloads through ${link.url} get 410 Gone from the next request on, and downloads under way are stopped. You can restore it later.`, confirm: "Revoke", danger: true });
    if (!yes) return;
    await api.request("POST", `links/${code}/${revoked ? "restore" : "revoke"}`);
    toast(revoked ? "Link restored." : "Link revoked.");
    await refresh();
  }));

  const remove = h("button", { type: "button", class: "button danger" }, "Delete");
  remove.addEventListener("click", () => run(remove, async () => {
    const yes = await confirmDialog({ title: "Delete this link for good?", message: `Its counters go too, and ${link.url} answers 404. This cannot be undone.`, confirm: "Delete", danger: true });
    if (!yes) return;
    await api.request("DELETE", `links/${code}`);
    toast(`Link ${link.code} deleted.`);
    location.hash = "#/links";
  }));

  return h("section", { class: "card", "aria-labelledby": "actions-title" },
    h("h2", { id: "actions-title" }, "Actions"),
    h("div", { class: "actions" }, edit, toggle, remove),
    editHost);
}

async function statsSection(code) {
  const section = h("section", { class: "card", "aria-labelledby": "stats-title" });
  const body = h("div", {});
  const choice = (days) => {
    const button = h("button", { type: "button", class: "button", "aria-pressed": String(days === chartDays) }, `${days} days`);
    button.addEventListener("click", async () => {
      chartDays = days;
      for (const other of section.querySelectorAll("button[aria-pressed]")) other.setAttribute("aria-pressed", String(other === button));
      await load();
    });
    return button;
  };
  section.append(
    h("div", { class: "section-head" }, h("h2", { id: "stats-title" }, "Traffic per day"),
      h("div", { class: "segmented", role: "group", "aria-label": "Period" }, choice(30), choice(90))),
    body);

  const load = async () => {
    const from = new Date(Date.now() - (chartDays - 1) * 86400000).toISOString().slice(0, 10);
    try {
      const stats = await api.request("GET", api.path(`links/${encodeURIComponent(code)}/stats`, { from }));
      clear(body).append(dayChart({
        title: `Bytes and downloads per UTC day, last ${stats.days.length} days`,
        days: stats.days.map((d) => d.day),
        series: [
          { label: "Bytes", unit: "bytes", values: stats.days.map((d) => d.bytes) },
          { label: "Downloads", unit: "count", values: stats.days.map((d) => d.downloads) },
        ],
      }));
    } catch (error) {
      // A retention shorter than the period asked: the API names the oldest day it keeps.
      clear(body).append(errorBox(error.fields?.from?.[0] ?? error.message));
    }
  };
  await load();
  return section;
}

async function trailSection(code) {
  const section = h("section", { class: "card", "aria-labelledby": "trail-title" }, h("h2", { id: "trail-title" }, "Audit trail"));
  try {
    const page = await api.request("GET", api.path("audit", { code, limit: 50 }));
    section.append(page.items.length ? auditTable(page.items, { showCode: false }) : h("p", { class: "empty" }, "No recorded actions."));
  } catch (error) {
    section.append(errorBox(error.message));
  }
  return section;
}

