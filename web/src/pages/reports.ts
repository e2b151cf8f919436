import { api, apiUrl } from "../api";
import { h, select } from "../dom";
import { fmtDay, fromLocalInput, toLocalInput } from "../format";
import { t } from "../i18n";
import { feature, ready } from "../state";
import { table } from "../components/table";

function bar(rate: number | null, target: number): HTMLElement {
  const v = rate ?? 0;
  return h("div", { class: "rate-bar", title: `${v}%` },
    h("span", { class: v < target ? "low" : "", style: `width:${Math.min(v, 100)}%` }),
    h("i", { style: `left:${target}%` }), h("b", null, rate === null ? "-" : `${rate}%`));
}

export default async function reportsPage(root: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<void> {
  const provinces = await api("/provinces");
  const kind = query.get("kind") || "transmission";
  const now = Math.floor(Date.now() / 1000);
  const from = h("input", { type: "datetime-local", value: toLocalInput(now - 90 * 86400) });
  const to = h("input", { type: "datetime-local", value: toLocalInput(now) });
  let province = "";
  const out = h("div");
  const exports = h("div", { class: "exports" });
  const tabs = h("nav", { class: "tabs" }, ["transmission", "exceedances", "aqi_daily"].map((k) => h("a", { href: `/reports?kind=${k}`, class: k === kind ? "active" : "" }, t(k))));
  root.append(h("h1", null, t("reports")), tabs,
    h("form", { class: "filters", onsubmit: (e: Event) => { e.preventDefault(); run(); } },
      h("label", null, t("from"), from), h("label", null, t("to"), to),
      h("label", null, t("province"), select([["", t("all")], ...provinces.items.map((p: any) => [p.code, p.name] as [string, string])], "", (v) => (province = v))),
      h("button", { type: "submit", class: "primary" }, t("run"))),
    exports, out);
  const needs = kind === "transmission" ? "completeness" : kind === "exceedances" ? "exceedance" : "aqi";
  if (!feature(needs)) {
    out.append(h("p", { class: "note" }, t("needs_quality")));
    ready("reports");
    return;
  }
  async function run(): Promise<void> {
    const q = { from: fromLocalInput(from.value), to: fromLocalInput(to.value), province };
    const path = kind === "transmission" ? "/reports/transmission" : kind === "exceedances" ? "/reports/exceedances" : "/reports/aqi-daily";
    exports.replaceChildren(...["xlsx", "pdf", "csv"].map((f) => h("a", { class: "button", href: apiUrl(path, { ...q, format: f }), download: "" }, t(`export_${f}`))));
    const data = await api(path, { query: q });
    if (kind === "transmission") {
      out.replaceChildren(
        h("h3", null, `${t("by_station")} — ${t("target")} ${data.target}%`),
        table([
          { label: t("station"), cell: (r: any) => h("a", { href: `/stations/${encodeURIComponent(r.station)}` }, r.station) },
          { label: t("name"), cell: (r: any) => r.name },
          { label: t("province"), cell: (r: any) => r.province },
          ...data.months.map((m: string) => ({ label: m, cell: (r: any) => (r.months[m] ?? "-") as any, class: "num" })),
          { label: t("rate"), cell: (r: any) => bar(r.rate, data.target) },
        ], data.by_station, 0, { "data-table": "transmission" }),
        h("h3", null, t("by_province")),
        table([{ label: t("province"), cell: (r: any) => r.province }, { label: t("stations"), cell: (r: any) => r.stations, class: "num" }, { label: `< ${data.target}%`, cell: (r: any) => r.below_target, class: "num" }, { label: t("rate"), cell: (r: any) => bar(r.rate, data.target) }], data.by_province),
        h("h3", null, t("by_month")),
        table([{ label: t("period"), cell: (r: any) => r.month }, { label: t("stations"), cell: (r: any) => r.stations, class: "num" }, { label: `< ${data.target}%`, cell: (r: any) => r.below_target, class: "num" }, { label: t("rate"), cell: (r: any) => bar(r.rate, data.target) }], data.by_month),
      );
    } else if (kind === "exceedances") {
      out.replaceChildren(table([
        { label: t("station"), cell: (r: any) => r.station }, { label: t("parameter"), cell: (r: any) => r.parameter },
        { label: t("episodes"), cell: (r: any) => r.episodes, class: "num" }, { label: t("hours"), cell: (r: any) => r.hours, class: "num" },
        { label: t("max_ratio"), cell: (r: any) => r.max_ratio, class: "num" }, { label: t("limit"), cell: (r: any) => r.limit, class: "num" },
        { label: t("standard"), cell: (r: any) => r.standard },
      ], data.summary, 0, { "data-table": "exceedances" }));
    } else {
      out.replaceChildren(table([
        { label: t("station"), cell: (r: any) => r.station }, { label: t("datetime"), cell: (r: any) => fmtDay(r.day) },
        { label: "VN_AQI", cell: (r: any) => h("span", { class: "aqi-pill", style: `background:${r.colour || "#ccc"}` }, r.aqi ?? "-") },
        { label: t("dominant"), cell: (r: any) => r.dominant || "-" },
      ], data.items, 0, { "data-table": "aqi-daily" }));
    }
    ready("reports");
  }
  await run();
}
