// The chart under the live picture: the ENC style from /api/v1/enc/style.json (S-52-style
// colours, display category, mariner settings) over our offline base map, which shows where no
// cell covers. Overlays (vessels, AtoNs, zones, tools) are added by their modules after every
// style change; their data lives in those modules, so a palette switch loses nothing.
import { api, apiUrl } from "../../api";
import { h, select } from "../../dom";
import { lang, t } from "../../i18n";
import { baseStyleParts } from "../../components/basemap";

export type Scheme = "DAY" | "DUSK" | "NIGHT";
export interface ChartSettings {
  scheme: Scheme;
  category: "base" | "standard" | "all";
  safety: number;
  shallow: number;
  deep: number;
  soundings: boolean;
  hidden: string[]; // layer groups switched off
}

export interface Display {
  schemes: Record<string, Record<string, string>>;
  groups: Record<string, { vi: string; en: string }>;
  categories: Record<string, [string, string]>;
}

const KEY = "mui_chart";
const DEFAULTS: ChartSettings = { scheme: "DAY", category: "standard", safety: 10, shallow: 5, deep: 30, soundings: true, hidden: [] };

export function loadSettings(): ChartSettings {
  try {
    return { ...DEFAULTS, ...JSON.parse(localStorage.getItem(KEY) || "{}") };
  } catch {
    return { ...DEFAULTS };
  }
}

function saveSettings(s: ChartSettings): void {
  localStorage.setItem(KEY, JSON.stringify(s));
}

/** Overlay colours that stay readable on each palette. */
export function ink(scheme: Scheme): { text: string; halo: string; line: string } {
  return scheme === "DAY" ? { text: "#111", halo: "#fff", line: "#222" } : { text: "#e8e8d0", halo: "#111", line: "#ccc" };
}

export async function composeStyle(s: ChartSettings, display: Display): Promise<any> {
  const url = apiUrl("/enc/style.json", {
    scheme: s.scheme,
    category: s.category,
    safety_contour: s.safety,
    shallow_contour: s.shallow,
    deep_contour: s.deep,
    soundings: s.soundings,
    background: false,
  });
  const enc = await (await fetch(url, { credentials: "same-origin" })).json();
  const c = display.schemes[s.scheme] || {};
  const base = await baseStyleParts(
    { sea: c.DEPDW || "#cfe3f3", land: c.LANDA || "#f4f1e8", coast: c.CSTLN || "#a9a48f", border: c.CHGRD || "#9a8f7a", text: c.CHBLK || "#33566e" },
    "base-",
  );
  const hidden = new Set(s.hidden);
  const layers = (enc.layers as any[]).map((layer) => {
    const group = layer.metadata?.["giamsat:group"];
    if (group && hidden.has(group)) return { ...layer, layout: { ...(layer.layout || {}), visibility: "none" } };
    return layer;
  });
  return { ...enc, sources: { ...base.sources, ...enc.sources }, layers: [...base.layers, ...layers] };
}

/** The settings panel: palette, category, contours, soundings, layer groups. */
export function settingsPanel(s: ChartSettings, display: Display, onChange: (s: ChartSettings) => void): HTMLElement {
  const changed = () => {
    saveSettings(s);
    onChange(s);
  };
  const num = (label: string, key: "safety" | "shallow" | "deep") =>
    h("label", null, label, h("input", { type: "number", min: 0, max: 1000, step: 1, value: String(s[key]), "data-setting": key, onchange: (e: Event) => { s[key] = Number((e.target as HTMLInputElement).value) || 0; changed(); } }));
  const groups = Object.entries(display.groups).map(([id, names]) =>
    h("label", { class: "inline" },
      h("input", { type: "checkbox", checked: !s.hidden.includes(id), "data-group": id, onchange: (e: Event) => {
        const on = (e.target as HTMLInputElement).checked;
        s.hidden = on ? s.hidden.filter((g) => g !== id) : [...s.hidden, id];
        changed();
      } }),
      " ", lang() === "vi" ? names.vi : names.en));
  return h("div", { class: "mui-settings" },
    h("div", { class: "mui-seg", role: "group", "aria-label": t("m_scheme") },
      (["DAY", "DUSK", "NIGHT"] as Scheme[]).map((sc) => h("button", { class: s.scheme === sc ? "on" : "", "data-scheme": sc, onclick: (e: Event) => {
        s.scheme = sc;
        (e.target as HTMLElement).parentElement!.querySelectorAll("button").forEach((b) => b.classList.toggle("on", b.dataset.scheme === sc));
        changed();
      } }, t(`m_${sc.toLowerCase()}`)))),
    h("label", null, t("m_category"), select([["base", t("m_base")], ["standard", t("m_standard")], ["all", t("m_all")]], s.category, (v) => { s.category = v as ChartSettings["category"]; changed(); }, { "data-setting": "category" })),
    num(t("m_shallow"), "shallow"),
    num(t("m_safety"), "safety"),
    num(t("m_deep"), "deep"),
    h("label", { class: "inline" }, h("input", { type: "checkbox", checked: s.soundings, "data-setting": "soundings", onchange: (e: Event) => { s.soundings = (e.target as HTMLInputElement).checked; changed(); } }), " ", t("m_soundings")),
    h("h4", null, t("m_layers")),
    groups,
  );
}

/** Cells imported, or a hint how to import them. */
export async function cellsInfo(): Promise<{ count: number; bounds: [number, number, number, number] | null; el: HTMLElement }> {
  const data = await api("/enc/cells");
  const cells = data.cells as any[];
  if (!cells.length) {
    return {
      count: 0,
      bounds: null,
      el: h("div", { class: "mui-hint", "data-no-enc": "1" }, t("m_no_enc"), " ", h("code", null, "giamsat enc import PATH")),
    };
  }
  const b = cells.reduce((acc: number[], c: any) => [Math.min(acc[0], c.west), Math.min(acc[1], c.south), Math.max(acc[2], c.east), Math.max(acc[3], c.north)], [180, 90, -180, -90]);
  return {
    count: cells.length,
    bounds: b as [number, number, number, number],
    el: h("div", { class: "mui-cells muted small", title: cells.map((c: any) => `${c.name} ${c.edition}/${c.update_number}`).join("\n") }, `${cells.length} ${t("m_cells")}: ${cells.map((c: any) => c.name).join(", ")}`),
  };
}
