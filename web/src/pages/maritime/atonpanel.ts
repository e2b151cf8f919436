// The AtoN panel: the registry as a tree by area and kind, each AtoN with its status, voltage,
// light and RACON state; a click opens its details (voltage chart) and centres the chart.
import { api } from "../../api";
import { h } from "../../dom";
import { fmtNum } from "../../format";
import { t } from "../../i18n";
import { STATUS_COLOURS } from "./atons";

/** ``lookups`` is /maritime/lookups (light and RACON status names in the user's language). */
export async function atonTree(open: (mmsi: number) => void, lookups: any): Promise<HTMLElement> {
  const light = (c: number | null) => (c === null || c === undefined ? "-" : lookups.light_status?.[c] ?? String(c));
  const racon = (c: number | null) => (c === null || c === undefined ? "-" : lookups.racon_status?.[c] ?? String(c));
  const data = await api("/maritime/atons/tree");
  const areas = (data.areas as any[]).map((area) =>
    h("details", { open: true, class: "mui-tree" },
      h("summary", null, h("strong", null, area.area || "-"), " ",
        Object.entries(area.status).map(([s, n]) => h("span", { class: "pill", style: `background:${STATUS_COLOURS[s] || "#ccc"};color:#fff` }, `${t(`m_status_${s}`)} ${n}`))),
      Object.entries(area.kinds).map(([kind, items]) =>
        h("div", { class: "mui-tree-kind" }, h("em", null, kind),
          h("ul", { class: "mui-list" }, (items as any[]).map((a) =>
            h("li", { "data-aton-item": a.mmsi, "data-status": a.status },
              h("span", { class: "dot", style: `background:${STATUS_COLOURS[a.status] || "#aaa"}` }), " ",
              h("button", { type: "button", class: "link-btn", onclick: (e: Event) => { e.preventDefault(); open(a.mmsi); } }, a.name || String(a.mmsi)),
              h("span", { class: "small muted" }, ` ${fmtNum(a.voltage, 1)} V · ${t("m_light")}: ${light(a.light)} · ${t("m_racon")}: ${racon(a.racon)}`),
              (a.conditions || []).length ? h("div", { class: "small", style: "color:#e01b1b" }, (a.conditions as string[]).map((c) => t(`m_${c}`)).join(", ")) : null)))))));
  return h("div", { "data-panel": "atons" }, h("h3", null, t("m_aton_panel")), h("div", { class: "mui-row" }, h("a", { class: "button", href: "/api/v1/maritime/atons?format=xlsx", download: "" }, "Excel"), h("a", { class: "button", href: "/api/v1/maritime/atons?format=csv", download: "" }, "CSV")), ...areas);
}

/** Links to the API's exports: zone log and tracks. */
export function exportsPanel(zones: { id: number; name: string }[], groups: { id: number; name: string }[]): HTMLElement {
  const zone = h("select", { name: "zone" }, h("option", { value: "" }, t("all")), zones.map((z) => h("option", { value: String(z.id) }, z.name)));
  const who = h("input", { name: "mmsi", placeholder: "MMSI, MMSI…" });
  const group = h("select", { name: "group" }, h("option", { value: "" }, "-"), groups.map((g) => h("option", { value: String(g.id) }, g.name)));
  const links = h("div", { class: "mui-row" });
  const zoneLinks = h("div", { class: "mui-row" });
  const update = () => {
    const z = zone.value ? `&zone=${zone.value}` : "";
    zoneLinks.replaceChildren(...["txt", "csv", "xlsx"].map((f) => h("a", { class: "button", href: `/api/v1/maritime/zone-log?format=${f}${z}`, download: "", "data-export": `zone-log-${f}` }, f.toUpperCase())));
    const q = new URLSearchParams();
    who.value.split(/[\s,;]+/).filter((s) => /^\d+$/.test(s)).forEach((m) => q.append("mmsi", m));
    if (group.value) q.set("group", group.value);
    links.replaceChildren(...(q.toString() ? ["gpx", "geojson", "csv", "xlsx"].map((f) => h("a", { class: "button", href: `/api/v1/maritime/tracks?${q}&format=${f}`, download: "", "data-export": `tracks-${f}` }, f.toUpperCase())) : [h("span", { class: "muted small" }, "MMSI / " + t("m_group"))]));
  };
  zone.addEventListener("change", update);
  who.addEventListener("input", update);
  group.addEventListener("change", update);
  update();
  return h("div", { class: "mui-form", "data-panel": "exports" }, h("h3", null, t("m_exports")), h("label", null, t("m_zone_log"), zone), zoneLinks, h("label", null, t("m_tracks_export"), who), h("label", null, t("m_group"), group), links);
}
