// Traffic: each bucket's totals, today's top links by bytes and by downloads, and bytes per day.
import * as api from "./api.js";
import { h, clear, errorBox, formatBytes, formatCount, formatDateTime, table } from "./dom.js";
import { dayChart } from "./chart.js";

let chartDays = 30;

export async function trafficPage(container) {
  container.append(h("h1", { tabindex: "-1" }, "Traffic"),
    h("p", { class: "lead" }, "Counted as downloads finish (within about a second). Days are UTC days."));
  const [totals, topBytes, topDownloads] = await Promise.allSettled([
    api.request("GET", "stats/buckets"),
    api.request("GET", api.path("stats/top", { by: "bytes", limit: 10 })),
    api.request("GET", api.path("stats/top", { by: "downloads", limit: 10 })),
  ]);

  const bucketSection = h("section", { class: "card", "aria-labelledby": "buckets-title" }, h("h2", { id: "buckets-title" }, "Buckets, all time"));
  if (totals.status === "fulfilled") {
    const rows = totals.value.buckets.map((b) => h("tr", { "data-bucket": b.bucket },
      h("th", { scope: "row" }, b.bucket),
      h("td", { class: "num", "data-counter": "downloads" }, formatCount(b.downloads)),
      h("td", { class: "num" }, formatCount(b.aborted)),
      h("td", { class: "num", "data-counter": "bytes" }, formatBytes(b.bytes)),
      h("td", {}, formatDateTime(b.lastDownloadAt))));
    bucketSection.append(rows.length
      ? table("Totals per bucket", ["Bucket", "Downloads", "Aborted", "Bytes", "Last download"], rows, { captionHidden: true })
      : h("p", { class: "empty" }, "This key sees no whole bucket (its key is limited to key prefixes)."));
  } else {
    bucketSection.append(errorBox(totals.reason.message));
  }

  const topSection = (title, id, result, by) => {
    const section = h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title));
    if (result.status !== "fulfilled") {
      section.append(errorBox(result.reason.message));
      return section;
    }
    const rows = result.value.links.map((link) => h("tr", { "data-code": link.code },
      h("td", { class: "num" }, link.rank),
      // A key without links:read may count a link's traffic but not open its page.
      h("th", { scope: "row" }, api.can("links:read") ? h("a", { href: `#/links/${encodeURIComponent(link.code)}` }, link.code) : link.code),
      h("td", { class: "num" }, by === "bytes" ? formatBytes(link.bytes) : formatCount(link.downloads)),
      h("td", { class: "num" }, by === "bytes" ? formatCount(link.downloads) : formatBytes(link.bytes))));
    section.append(rows.length
      ? table(title, ["#", "Link", by === "bytes" ? "Bytes" : "Downloads", by === "bytes" ? "Downloads" : "Bytes"], rows, { captionHidden: true })
      : h("p", { class: "empty" }, "No downloads today yet."));
    return section;
  };

  const chartSection = h("section", { class: "card", "aria-labelledby": "daily-title" });
  const chartBody = h("div", {});
  const choice = (days) => {
    const button = h("button", { type: "button", class: "button", "aria-pressed": String(days === chartDays) }, `${days} days`);
    button.addEventListener("click", async () => {
      chartDays = days;
      for (const other of chartSection.querySelectorAll("button[aria-pressed]")) other.setAttribute("aria-pressed", String(other === button));
      await loadChart();
    });
    return button;
  };
  chartSection.append(h("div", { class: "section-head" }, h("h2", { id: "daily-title" }, "Bytes per day"),
    h("div", { class: "segmented", role: "group", "aria-label": "Period" }, choice(30), choice(90))), chartBody);
  const loadChart = async () => {
    const from = new Date(Date.now() - (chartDays - 1) * 86400000).toISOString().slice(0, 10);
    try {
      const series = await api.request("GET", api.path("stats/buckets/days", { from }));
      if (series.buckets.length === 0) {
        clear(chartBody).append(h("p", { class: "empty" }, "No bucket to show."));
        return;
      }
      clear(chartBody).append(dayChart({
        title: `Bytes served per UTC day and bucket, last ${series.buckets[0].days.length} days`,
        days: series.buckets[0].days.map((d) => d.day),
        series: series.buckets.map((b) => ({ label: b.bucket, unit: "bytes", values: b.days.map((d) => d.bytes) })),
      }));
    } catch (error) {
      clear(chartBody).append(errorBox(error.fields?.from?.[0] ?? error.message));
    }
  };

  container.append(bucketSection,
    h("div", { class: "columns" },
      topSection("Today's top links by bytes", "top-bytes-title", topBytes, "bytes"),
      topSection("Today's top links by downloads", "top-downloads-title", topDownloads, "downloads")),
    chartSection);
  await loadChart();
}
