import { api } from "../api";
import { h, icon } from "../dom";
import { fmtDay, fmtNum, fmtTime } from "../format";
import { pick, t } from "../i18n";
import { feature, ready } from "../state";
import { type LimitLine, drawChart } from "../components/chart";
import { stationLabel, statusDot } from "./stations";

const RANGES: [string, number][] = [["24h", 86400], ["7d", 7 * 86400], ["30d", 30 * 86400], ["1y", 365 * 86400], ["3y", 3 * 365 * 86400]];

export default async function stationPage(root: HTMLElement, params: Record<string, string>): Promise<void> {
  const code = decodeURIComponent(params.code);
  const s = await api(`/stations/${encodeURIComponent(code)}`);
  const limits: any[] = s.limits || [];
  const limitText = (p: string) =>
    limits.filter((l) => l.parameter === p).map((l) => `${l.min !== null && l.min !== undefined ? l.min + "–" : "≤ "}${l.max ?? ""} ${l.unit || ""} (${l.averaging}, ${l.standard} ${l.column || ""})`).join("; ");
  const chosen = new Set<string>(s.parameters.slice(0, 2).map((p: any) => p.code));
  const end = s.last_obs_ts || Math.floor(Date.now() / 1000);
  let range: [number, number] = [end - 86400, end];
  const chartBox = h("div", { class: "chart-box", id: "station-chart" });
  const chartInfo = h("p", { class: "muted" });
  const paramPick = h("div", { class: "chips" });
  const calendar = h("section", { class: "panel" });

  root.append(
    h("h1", null, statusDot(s.status?.status), " ", stationLabel(s)),
    h("nav", { class: "crumbs" }, h("a", { href: "/stations" }, t("stations")), " / ", code),
    h("div", { class: "two-col" },
      h("section", { class: "panel" }, h("h3", null, t("metadata")), h("dl", { class: "meta" },
        ...[
          [t("code"), s.code],
          [t("component"), t(s.component)],
          [t("province"), s.province_name],
          [t("organisation"), s.organisation_name || "-"],
          [t("coordinates"), s.lat !== null ? `${s.lat}, ${s.lon}` : "-"],
          [t("interval"), `${Math.round(s.expected_interval_s / 60)} min`],
          [t("permit"), [s.permit.standard, s.permit.column].filter(Boolean).join(" cột/column ") || "-"],
          [t("coefficients"), s.permit.coefficients ? Object.entries(s.permit.coefficients).map(([k, v]) => `${k}=${v}`).join(", ") : "-"],
          [t("published"), s.published ? t("yes") : t("no")],
          [t("registered"), s.registered ? t("yes") : t("no")],
          [t("status"), s.status ? t(s.status.status) : "-"],
          [t("last_data"), fmtTime(s.last_obs_ts, s.utc_offset_min)],
        ].flatMap(([k, v]) => [h("dt", null, k), h("dd", null, v)]),
        h("dt", null, t("map")), h("dd", null, h("a", { href: `/map?station=${encodeURIComponent(code)}` }, icon("pin"), " ", t("locate"))))),
      h("section", { class: "panel" }, h("h3", null, t("parameters")),
        h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-table": "parameters" },
          h("thead", null, h("tr", null, [t("parameter"), t("unit"), t("value"), t("datetime"), t("limits")].map((x) => h("th", null, x)))),
          h("tbody", null, s.parameters.map((p: any) => h("tr", null,
            h("td", null, h("strong", null, p.code), " ", h("span", { class: "muted" }, pick(p.name_vi, p.name_en))),
            h("td", null, p.unit),
            h("td", { class: `num ${p.last_status === 2 ? "dev-err" : p.last_status === 1 ? "calib" : ""} ${(s.status?.exceeding || []).some((e: any) => e.parameter === p.code) ? "over" : ""}` }, fmtNum(p.last_value)),
            h("td", { class: "nowrap" }, fmtTime(p.last_ts, s.utc_offset_min)),
            h("td", null, limits.length ? limitText(p.code) || "-" : feature("exceedance") ? "-" : "…"))))))),
    ),
    h("section", { class: "panel" },
      h("h3", null, t("chart")),
      paramPick,
      h("div", { class: "range-btns" }, RANGES.map(([label, span]) => h("button", { onclick: () => { range = [end - span, end]; load(); } }, label)),
        h("button", { onclick: () => { range = [end - 86400, end]; load(); } }, t("reset_zoom"))),
      chartInfo, chartBox,
      h("p", { class: "muted small" }, t("zoom_hint"), " ", h("span", { class: "dot", style: "background:#d62728" }), ` ${t("qc_flag")}: ${t("suspect")}/${t("fail")}`),
    ),
    calendar,
  );

  function drawPick(): void {
    paramPick.replaceChildren(...s.parameters.map((p: any) =>
      h("button", { class: `chip ${chosen.has(p.code) ? "on" : ""}`, onclick: () => { chosen.has(p.code) ? chosen.delete(p.code) : chosen.add(p.code); drawPick(); load(); } }, p.code)));
  }
  async function load(): Promise<void> {
    const data = await api(`/stations/${encodeURIComponent(code)}/series`, { query: { parameter: [...chosen], from: range[0], to: range[1] } });
    chartInfo.textContent = `${t("resolution")}: ${t(data.resolution)} · ${fmtTime(data.from, data.utc_offset_min)} → ${fmtTime(data.to, data.utc_offset_min)}`;
    chartBox.replaceChildren();
    const lines: LimitLine[] = [];
    for (const l of limits) if (chosen.has(l.parameter) && l.max !== null && l.max !== undefined) lines.push({ parameter: l.parameter, value: l.max, label: `${l.parameter} ${t("limit")} ${l.max}` });
    drawChart(chartBox, data.series, lines, (from, to) => { range = [from, to]; load(); }, data.utc_offset_min);
    chartBox.dataset.points = String(data.series.reduce((n: number, x: any) => n + x.t.length, 0));
    chartBox.dataset.resolution = data.resolution;
    ready("station");
  }
  drawPick();
  await load();
  if (feature("completeness")) {
    const c = await api("/completeness", { query: { station: code, from: end - 90 * 86400, to: end, period: "day" } });
    const days = new Map<string, number[]>();
    for (const item of c.items) {
      const key = String(item.datetime_from?.local || item.datetime_from).slice(0, 10);
      (days.get(key) || days.set(key, []).get(key)!).push(item.percent_complete);
    }
    calendar.replaceChildren(h("h3", null, t("completeness")), h("div", { class: "calendar", "data-days": String(days.size) },
      [...days.entries()].sort().map(([day, values]) => {
        const pct = values.reduce((a, b) => a + b, 0) / values.length;
        const colour = pct >= 95 ? "#2e9e44" : pct >= 80 ? "#9bd18b" : pct >= 50 ? "#f2b701" : pct > 0 ? "#ff7f0e" : "#d62728";
        return h("span", { class: "day", style: `background:${colour}`, title: `${fmtDay(day)}: ${pct.toFixed(1)}%` }, day.slice(8, 10));
      })), h("p", { class: "muted small" }, "≥95% · ≥80% · ≥50% · >0% · 0%"));
  } else {
    calendar.replaceChildren(h("h3", null, t("completeness")), h("p", { class: "note" }, t("needs_quality")));
  }
}
