// Per-day charts with uPlot (vendored, see ../vendor/README.md), each with its numbers as a table
// beside it for screen readers and for anyone who wants the figures rather than the picture.
import { h, formatBytes, formatCount, formatDay, formatShortDay, table } from "./dom.js";

const palette = ["#1f5fbf", "#c2410c", "#15803d", "#7c3aed", "#b91c1c", "#0e7490", "#a16207"];

function dayToSeconds(day) {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

/**
 * A chart of days. series: [{ label, values, unit: "bytes" | "count" }]. Byte series are bars on the
 * left axis, count series lines on the right one. Returns a <figure> that resizes with its container.
 */
export function dayChart({ title, days, series }) {
  const figure = h("figure", { class: "chart" }, h("figcaption", {}, title));
  const plotHost = h("div", { class: "chart-plot", "aria-hidden": "true" });
  figure.append(plotHost);

  const rows = days.map((day, i) => h("tr", { "data-day": day },
    h("th", { scope: "row" }, formatDay(day)),
    series.map((s) => h("td", { class: "num" }, s.unit === "bytes" ? formatBytes(s.values[i]) : formatCount(s.values[i])))));
  figure.append(h("details", { class: "chart-table" },
    h("summary", {}, "Show the numbers"),
    table(title, ["Day (UTC)", ...series.map((s) => s.label)], rows, { captionHidden: true })));

  if (!window.uPlot) {
    plotHost.append(h("p", { class: "hint" }, "The chart library did not load; the numbers are below."));
    return figure;
  }

  const hasBytes = series.some((s) => s.unit === "bytes");
  const hasCounts = series.some((s) => s.unit === "count");
  const singleBytes = series.filter((s) => s.unit === "bytes").length === 1;
  const options = {
    width: 600,
    height: 260,
    tzDate: (seconds) => window.uPlot.tzDate(new Date(seconds * 1000), "Etc/UTC"),
    cursor: { drag: { x: false, y: false } },
    legend: { live: true },
    // Half a day of room at each end, so the first and last days' bars are drawn whole.
    scales: { x: { time: true, range: (u, min, max) => [min - 43200, max + 43200] } },
    axes: [
      { stroke: "#555", values: (u, splits) => splits.map(formatShortDay) },
      hasBytes ? { scale: "bytes", stroke: "#555", size: 80, values: (u, values) => values.map(formatBytes) } : null,
      hasCounts ? { scale: "count", stroke: "#555", side: hasBytes ? 1 : 3, size: 60, grid: { show: !hasBytes }, values: (u, values) => values.map((v) => (Number.isInteger(v) ? formatCount(v) : "")) } : null,
    ].filter(Boolean),
    series: [
      { label: "Day", value: (u, seconds) => (seconds == null ? "—" : formatDay(new Date(seconds * 1000).toISOString().slice(0, 10))) },
      ...series.map((s, i) => {
        const color = palette[i % palette.length];
        const bytes = s.unit === "bytes";
        return {
          label: s.label,
          scale: bytes ? "bytes" : "count",
          stroke: color,
          width: 2,
          fill: bytes && singleBytes ? `${color}55` : undefined,
          paths: bytes && singleBytes ? window.uPlot.paths.bars({ size: [0.7, 48] }) : undefined,
          points: { show: !(bytes && singleBytes) },
          value: (u, v) => (v == null ? "—" : bytes ? formatBytes(v) : formatCount(v)),
        };
      }),
    ],
  };
  if (hasBytes) options.scales.bytes = { range: (u, min, max) => [0, Math.max(max, 1000) * 1.1] };
  if (hasCounts) options.scales.count = { range: (u, min, max) => [0, Math.max(max, 4) * 1.1] };

  const data = [days.map(dayToSeconds), ...series.map((s) => s.values)];
  const plot = new window.uPlot(options, data, plotHost);
  const resize = () => {
    const width = Math.max(260, Math.floor(figure.clientWidth));
    if (width !== plot.width) plot.setSize({ width, height: width < 500 ? 200 : 260 });
  };
  new ResizeObserver(resize).observe(figure);
  requestAnimationFrame(resize);
  return figure;
}
