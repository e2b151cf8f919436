// The side panel: every decoded field of a vessel or AtoN with its label (vi/en), the vessel's
// static-data changes and recent history (track of the last 24 h, shown on the chart) and the
// AtoN's voltage chart.
import { api } from "../../api";
import { h } from "../../dom";
import { fmtTime } from "../../format";
import { t } from "../../i18n";
import { drawChart } from "../../components/chart";
import { STATUS_COLOURS } from "./atons";
import type { TrackLayer } from "./tracks";

const TIMES = new Set(["position_ts", "static_ts", "first_seen", "last_seen", "ts"]);
const SKIP = new Set(["config"]);

/** A translated word when the page has one (m_status_alarm, m_low_voltage …), else the text. */
function word(prefix: string, v: unknown): string {
  const key = `${prefix}${v}`;
  return t(key) !== key ? t(key) : String(v);
}

function value(key: string, v: unknown): string {
  if (v === null || v === undefined || v === "") return "-";
  if (key === "status") return word("m_status_", v);
  if (key === "conditions" && Array.isArray(v)) return v.map((c) => word("m_", c)).join(", ") || "-";
  if (TIMES.has(key) && typeof v === "number") return fmtTime(v, 420, true);
  if (typeof v === "boolean") return v ? "✓" : "✗";
  if (Array.isArray(v)) return v.map((x) => (typeof x === "object" ? x.name ?? x.id ?? JSON.stringify(x) : String(x))).join(", ") || "-";
  if (typeof v === "object") return JSON.stringify(v);
  if (typeof v === "number" && (key === "lat" || key === "lon" || key === "last_lat" || key === "last_lon")) return v.toFixed(6);
  return String(v);
}

/** The state at a past moment nests its fix under ``position``; show it as plain fields. */
function flatten(state: Record<string, any>): Record<string, unknown> {
  const { position, at: _at, static_source: _src, ...rest } = state;
  return { ...rest, ...(position || {}) };
}

export function fieldTable(obj: Record<string, unknown>, labels: Record<string, string> = {}): HTMLElement {
  const rows = Object.entries(obj)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => h("tr", { "data-field": k }, h("th", null, labels[k] || word("f_", k)), h("td", null, value(k, v))));
  return h("table", { class: "grid mui-fields" }, h("tbody", null, rows));
}

/** ``at``: the time slider's moment, when looking back (the vessel as it was then comes first). */
export async function vesselPanel(mmsi: number, tracks: TrackLayer, at: number | null = null, autoTrack = false): Promise<HTMLElement> {
  const [v, then] = await Promise.all([
    api(`/maritime/vessels/${mmsi}`),
    at === null ? null : api(`/maritime/vessels/${mmsi}/state`, { query: { at } }).catch(() => null),
  ]);
  const history = h("div", { class: "mui-history" });
  const showTrack = async () => {
    const now = Math.floor(Date.now() / 1000);
    const n = await tracks.load({ mmsi: [mmsi] }, now - 86400, now);
    const pts = tracks.byVessel.get(mmsi) || [];
    history.replaceChildren(
      h("p", { class: "small muted" }, `${n} ${t("rows")}`),
      h("table", { class: "grid small" },
        h("thead", null, h("tr", null, h("th", null, t("m_time")), h("th", null, t("f_lat")), h("th", null, t("f_lon")), h("th", null, t("f_sog")), h("th", null, t("f_cog")))),
        h("tbody", null, pts.slice(-30).reverse().map((p) => h("tr", null, h("td", null, fmtTime(p.ts, 420, true)), h("td", null, p.lat.toFixed(5)), h("td", null, p.lon.toFixed(5)), h("td", null, p.sog ?? "-"), h("td", null, p.cog ?? "-"))))),
    );
  };
  const staticLog = h("div", { class: "mui-static-log", "data-static-log": mmsi });
  api(`/maritime/vessels/${mmsi}/static-log`, { query: { limit: 20 } })
    .then((log) => staticLog.replaceChildren(staticChanges(log.items)))
    .catch(() => staticLog.replaceChildren());
  const title = v.name || String(mmsi);
  if (autoTrack) showTrack().catch(() => {}); // the recent history comes with the details
  return h("div", { class: "mui-detail", "data-vessel": mmsi },
    h("h3", null, title),
    then ? [h("h4", { "data-state-at": at }, `${t("m_picture_at")} ${fmtTime(at, 420, true)}`), fieldTable(flatten(then)), h("h4", null, t("m_live_mode"))] : null,
    fieldTable(v),
    h("h4", null, t("m_static_log")),
    staticLog,
    h("h4", null, t("m_history")),
    h("div", { class: "mui-row" },
      h("button", { onclick: showTrack, "data-action": "track" }, t("m_show_track")),
      h("a", { class: "button", href: `/api/v1/maritime/vessels/${mmsi}/track?format=gpx`, download: "" }, "GPX"),
      h("a", { class: "button", href: `/api/v1/maritime/vessels/${mmsi}/track?format=csv`, download: "" }, "CSV")),
    history);
}

/** The static-data log, newest first: one row per changed field ("old → new"). */
function staticChanges(items: { ts: number; changes: { field: string; old: unknown; new: unknown }[] }[]): HTMLElement {
  if (!items.length) return h("p", { class: "small muted" }, t("no_data"));
  const rows = items.flatMap((item) =>
    item.changes.map((c, i) =>
      h("tr", { "data-change": c.field },
        h("td", null, i === 0 ? fmtTime(item.ts, 420, true) : ""),
        h("td", null, word("f_", c.field)),
        h("td", null, c.old === null || c.old === undefined ? value(c.field, c.new) : `${value(c.field, c.old)} → ${value(c.field, c.new)}`))));
  return h("table", { class: "grid small" },
    h("thead", null, h("tr", null, h("th", null, t("m_time")), h("th", null, t("m_field")), h("th", null, t("m_change")))),
    h("tbody", null, rows));
}

export async function atonPanel(mmsi: number): Promise<HTMLElement> {
  const a = await api(`/maritime/atons/${mmsi}`);
  const chartBox = h("div", { class: "mui-volt" });
  const box = h("div", { class: "mui-detail", "data-aton": mmsi },
    h("h3", null, h("span", { class: "dot", style: `background:${STATUS_COLOURS[a.status] || "#aaa"}` }), " ", a.name || String(mmsi)),
    fieldTable(a, { name: t("m_name") }),
    h("h4", null, t("m_voltage")),
    chartBox,
    h("a", { class: "button", href: `/api/v1/maritime/atons/${mmsi}/history?format=csv`, download: "" }, `${t("m_history")} CSV`));
  api(`/maritime/atons/${mmsi}/history`).then((hist) => {
    const items = (hist.items as any[]).filter((i) => i.voltage !== null && i.voltage !== undefined);
    if (!items.length) {
      chartBox.textContent = t("no_data");
      return;
    }
    const series = ["voltage", "voltage_ext1", "voltage_ext2"]
      .filter((k) => items.some((i) => i[k] !== null && i[k] !== undefined))
      .map((k) => ({ parameter: t(`f_${k}`), unit: "V", t: items.map((i) => i.ts), value: items.map((i) => i[k] ?? null) }));
    requestAnimationFrame(() => drawChart(chartBox, series, [], () => {}));
  });
  return box;
}
