import { api } from "../api";
import { h, icon, modal, select } from "../dom";
import { fmtNum, fmtTime } from "../format";
import { t } from "../i18n";
import { subscribe } from "../live";
import { ready } from "../state";
import { drawChart } from "../components/chart";
import { stationLabel, statusDot } from "./stations";

const STATUSES = ["good", "exceeding", "device_error", "calibrating", "disconnected"];

export async function quickChart(code: string, title: string): Promise<void> {
  const box = h("div", { class: "chart-box" }, t("loading"));
  modal(title, box);
  const data = await api(`/stations/${encodeURIComponent(code)}/series`);
  box.replaceChildren();
  drawChart(box, data.series.slice(0, 6), [], () => {}, data.utc_offset_min);
}

export default async function monitoring(root: HTMLElement, params: Record<string, string>): Promise<() => void> {
  const component = params.component;
  const provinces = await api("/provinces");
  const storeKey = `columns:${component}`;
  const state = { province: "", status: "" };
  let chosen: Set<string> | null = localStorage.getItem(storeKey) ? new Set(JSON.parse(localStorage.getItem(storeKey)!)) : null;
  const chips = h("div", { class: "chips" });
  const body = h("div");
  root.append(
    h("h1", null, `${t("monitoring").toUpperCase()} — ${t(component).toUpperCase()}`),
    h("nav", { class: "crumbs" }, h("a", { href: "/" }, t("home")), " / ", t("monitoring"), " / ", t(component).toUpperCase()),
    h("div", { class: "filters" },
      h("label", null, t("choose_province"), select([["", t("all")], ...provinces.items.map((p: any) => [p.code, p.name] as [string, string])], "", (v) => { state.province = v; load(); })),
      h("label", null, t("warning_level"), select([["", "--"], ...STATUSES.map((s) => [s, t(s)] as [string, string])], "", (v) => { state.status = v; load(); })),
    ),
    h("section", { class: "panel" }, h("h3", null, t("choose_params")), chips),
    body,
  );
  let data: any = null;

  function drawChips(): void {
    const all = data.parameters.map((p: any) => p.code);
    const active = chosen || new Set(all);
    chips.replaceChildren(
      h("button", { class: "chip toggle", onclick: () => { chosen = active.size === all.length ? new Set() : new Set(all); save(); } }, t("toggle_all")),
      ...data.parameters.map((p: any) =>
        h("button", { class: `chip ${active.has(p.code) ? "on" : ""}`, "aria-pressed": String(active.has(p.code)), onclick: () => {
          const next = new Set(active);
          next.has(p.code) ? next.delete(p.code) : next.add(p.code);
          chosen = next;
          save();
        } }, `${p.code}${p.unit && p.unit !== "-" ? " (" + p.unit + ")" : ""}`)),
    );
  }
  function save(): void {
    localStorage.setItem(storeKey, JSON.stringify([...(chosen || [])]));
    drawChips();
    drawTable();
  }
  function cell(row: any, code: string): HTMLElement {
    const v = row.values[code];
    if (!v) return h("td", { class: "num muted" }, "-");
    const stale = row.last_obs_ts && v.ts < row.last_obs_ts - 3600;
    const cls = ["num", v.over ? "over" : "", v.device_error || v.s === 2 ? "dev-err" : "", v.calibrating || v.s === 1 ? "calib" : "", stale ? "stale" : ""].join(" ");
    const title = [v.over ? `${t("exceeding")} (${t("limit")} ${v.limit})` : "", v.s === 1 ? t("calibrating") : "", v.s === 2 ? t("device_error") : "", stale ? fmtTime(v.ts) : ""].filter(Boolean).join(" · ");
    return h("td", { class: cls, title: title || undefined, "data-param": code }, fmtNum(v.v));
  }
  function drawTable(): void {
    const active = chosen || new Set(data.parameters.map((p: any) => p.code));
    const cols = data.parameters.filter((p: any) => active.has(p.code));
    if (!data.items.length) {
      body.replaceChildren(h("p", { class: "empty" }, t("no_data")));
      return;
    }
    body.replaceChildren(
      data.status_available ? "" : h("p", { class: "note" }, t("needs_quality")),
      h("div", { class: "table-wrap" }, h("table", { class: "grid monitoring", "data-table": "monitoring" },
        h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, t("status")), h("th", null, t("station_name")), h("th", null, t("datetime")),
          cols.map((p: any) => h("th", { class: "num" }, `${p.code}${p.unit && p.unit !== "-" ? " (" + p.unit + ")" : ""}`)), h("th", null, t("quick_view")))),
        h("tbody", null, data.items.map((r: any, i: number) =>
          h("tr", { "data-station": r.code },
            h("td", { class: "num" }, i + 1),
            h("td", null, statusDot(r.status)),
            h("td", null, h("a", { href: `/stations/${encodeURIComponent(r.code)}` }, stationLabel(r))),
            h("td", { class: "nowrap" }, fmtTime(r.last_obs_ts, r.utc_offset_min)),
            cols.map((p: any) => cell(r, p.code)),
            h("td", { class: "quick nowrap" },
              h("button", { class: "icon-btn", title: t("chart"), "aria-label": t("chart"), onclick: () => quickChart(r.code, stationLabel(r)) }, icon("chart")),
              h("a", { href: `/stations/${encodeURIComponent(r.code)}`, title: t("details") }, icon("details")),
              h("a", { href: `/map?station=${encodeURIComponent(r.code)}`, title: t("locate") }, icon("pin"))))))),
      ),
    );
  }
  async function load(): Promise<void> {
    data = await api(`/monitoring/${component}`, { query: { province: state.province, status: state.status } });
    drawChips();
    drawTable();
    ready("monitoring");
  }
  await load();
  const codes = () => new Set((data?.items || []).map((r: any) => r.code));
  const off = subscribe(["env.observations"], (event) => {
    if (!codes().has(event.station)) return;
    const row = data.items.find((r: any) => r.code === event.station);
    for (const v of event.values) {
      const cur = row.values[v.parameter];
      if (!cur || v.ts >= cur.ts) row.values[v.parameter] = { ...(cur || {}), v: v.value, ts: v.ts, s: v.status };
      row.last_obs_ts = Math.max(row.last_obs_ts || 0, v.ts);
    }
    drawTable();
    body.querySelector(`tr[data-station="${CSS.escape(event.station)}"]`)?.classList.add("flash");
  });
  return off;
}
