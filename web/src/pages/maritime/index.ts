// The maritime chart page (/maritime): ENC chart with the live picture on top and the tools.
// Modules: chart (style), vessels, atons, zones, markers, tracks (layers), sketch + measure
// (drawing), panel/search/groups/atonpanel (side panel), timeslider, alerts.
import "./strings";
import "./maritime.css";
import { api } from "../../api";
import { h, toast } from "../../dom";
import { lang, t } from "../../i18n";
import { subscribe } from "../../live";
import { ready, session } from "../../state";
import { maplibregl } from "../../components/basemap";
import { setPopupSkip, setSound, soundOn } from "../../components/popup";
import { type ChartSettings, type Display, cellsInfo, composeStyle, loadSettings, settingsPanel } from "./chart";
import { AtonLayer } from "./atons";
import { AlertCards } from "./alerts";
import { atonPanel, vesselPanel, fieldTable } from "./panel";
import { atonTree, exportsPanel } from "./atonpanel";
import { Groups } from "./groups";
import { MarkerLayer } from "./markers";
import { inverse, ringArea } from "./geodesy";
import { startMeasure } from "./measure";
import { searchPanel } from "./search";
import { Sketch } from "./sketch";
import { timeSlider } from "./timeslider";
import { TrackLayer } from "./tracks";
import { VesselLayer, vesselIcon } from "./vessels";
import { ZoneLayer } from "./zones";

type Tool = "none" | "distance" | "area" | "zone" | "marker";

function initialView(query: URLSearchParams, bounds: [number, number, number, number] | null): { center: [number, number]; zoom: number } | { bounds: [number, number, number, number] } {
  const lon = Number(query.get("lon")), lat = Number(query.get("lat")), z = Number(query.get("z"));
  if (query.has("lon") && query.has("lat")) return { center: [lon, lat], zoom: query.has("z") ? z : 11 };
  const saved = localStorage.getItem("mui_view");
  if (saved) {
    try {
      return JSON.parse(saved);
    } catch {
      /* ignore */
    }
  }
  if (bounds) return { bounds };
  return { center: [106.85, 20.75], zoom: 9.5 };
}

export default async function maritimePage(root: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<() => void> {
  const canEdit = ["admin", "operator"].includes(session.me?.role || "");
  const settings: ChartSettings = loadSettings();
  const [display, cells, lookups] = await Promise.all([api<Display>("/enc/display"), cellsInfo(), api("/maritime/lookups", { query: { lang: lang() } })]);
  const container = h("div", { class: "mui-map", id: "mui-map" });
  const side = h("aside", { class: "mui-side", "aria-live": "polite" }, h("p", { class: "muted" }, t("m_no_selection")));
  const measureBox = h("div", { class: "mui-measure", hidden: true });
  const toolbar = h("div", { class: "mui-toolbar", role: "toolbar" });
  root.classList.add("mui-root");
  const body = h("div", { class: "mui-body" }, h("div", { class: "mui-map-wrap" }, container, measureBox), side);
  root.append(h("div", { class: "mui-head" }, h("h1", null, t("m_chart")), cells.el, toolbar), body);

  const view = initialView(query, cells.bounds);
  const map = new maplibregl.Map({
    container,
    style: await composeStyle(settings, display),
    ...("bounds" in view ? { bounds: view.bounds, fitBoundsOptions: { padding: 20 } } : view),
    attributionControl: { compact: true, customAttribution: "Natural Earth · ENC" },
    fadeDuration: 0, // symbols appear at once: no extra frames after each live update
  });
  (window as any).__muiMap = map;
  map.addControl(new maplibregl.NavigationControl({}), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "nautical" }), "bottom-left");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  map.on("styleimagemissing", (e: { id: string }) => {
    const img = vesselIcon(e.id);
    if (img && !map.hasImage(e.id)) map.addImage(e.id, img, { pixelRatio: 2 });
  });
  await new Promise<void>((resolve) => map.once("load", () => resolve()));

  const scheme = () => settings.scheme;
  const vessels = new VesselLayer(map, scheme);
  const atons = new AtonLayer(map, scheme);
  const zones = new ZoneLayer(map, scheme);
  const markers = new MarkerLayer(map, scheme);
  const tracks = new TrackLayer(map);
  const sketch = new Sketch(map);
  const groups = new Groups((colours) => {
    vessels.groupColour = colours;
    vessels.setAll([...vessels.vessels.values()]);
  });
  zones.kinds = lookups.zone_kinds || zones.kinds;
  const overlays = [zones, tracks, atons, markers, vessels, sketch];
  const installAll = () => overlays.forEach((o) => o.install());
  installAll();
  (window as any).__mui = { vessels, atons, zones, tracks, markers, geodesy: { inverse, ringArea } };

  async function restyle(): Promise<void> {
    const style = await composeStyle(settings, display);
    map.setStyle(style);
    // a diffed style is ready at once (isStyleLoaded() would also wait for tiles and sprite);
    // a replaced one loads later and says so with "style.load"
    try {
      installAll();
    } catch {
      map.once("style.load", installAll);
    }
    container.dataset.scheme = settings.scheme;
    map.once("idle", () => (container.dataset.rendered = settings.scheme));
  }
  container.dataset.scheme = settings.scheme;

  // --- side panel and tools -----------------------------------------------------------------
  let tool: Tool = "none";
  const buttons = new Map<string, HTMLButtonElement>();
  const showSide = (...nodes: Node[]) => side.replaceChildren(...nodes);
  const setTool = (next: Tool) => {
    if (sketch.active) sketch.stop();
    tool = next;
    buttons.forEach((b, k) => b.classList.toggle("on", k === next));
    map.getCanvas().style.cursor = next === "none" ? "" : "crosshair";
    if (next === "distance" || next === "area") startMeasure(sketch, next === "distance" ? "line" : "polygon", measureBox, () => setTool("none"));
    if (next === "zone") {
      showSide(h("h3", null, t("m_draw_zone")), h("p", { class: "muted small" }, t("m_click_points")), h("button", { "data-action": "finish-zone", onclick: () => sketch.finish() }, t("m_finish")));
      sketch.start("polygon", () => {}, (pts) => {
        tool = "none";
        buttons.get("zone")?.classList.remove("on");
        if (pts.length < 3) return;
        const geometry = { type: "Polygon", coordinates: [[...pts, pts[0]]] };
        showSide(h("h3", null, t("m_draw_zone")), zones.form({ geometry }, sketch, canEdit, () => showSide()));
        side.querySelector<HTMLInputElement>("input[name=zone-name]")?.focus();
      });
    }
  };
  const openVessel = async (mmsi: number) => {
    vessels.select(mmsi);
    const at = document.querySelector<HTMLElement>("[data-time]")?.dataset.time;
    const panel = await vesselPanel(mmsi, tracks, vessels.past && at ? Number(at) : null, !vessels.past);
    if (canEdit && groups.items.length) {
      const pick = h("select", { name: "to-group" }, groups.items.map((g) => h("option", { value: String(g.id) }, g.name)));
      const add = async () => {
        await api(`/maritime/groups/${pick.value}/members`, { method: "POST", body: { mmsi: [mmsi] } });
        await groups.load();
        toast(t("m_saved"));
      };
      panel.querySelector("table")?.before(h("div", { class: "mui-row" }, pick, h("button", { type: "button", "data-action": "add-to-group", onclick: () => add().catch((e) => toast(e.message, "error")) }, t("m_add_to_group"))));
    }
    showSide(panel);
    const v = vessels.current().get(mmsi);
    if (v && v.lon !== null && v.lat !== null && !map.getBounds().contains([v.lon, v.lat])) map.easeTo({ center: [v.lon, v.lat] });
  };
  const openAton = async (mmsi: number) => {
    showSide(await atonPanel(mmsi));
    const a = atons.atons.get(mmsi);
    const lon = a?.last_lon ?? a?.lon, lat = a?.last_lat ?? a?.lat;
    if (lon !== null && lon !== undefined && lat !== null && lat !== undefined && !map.getBounds().contains([lon, lat])) map.easeTo({ center: [lon, lat] });
  };
  const tb = (key: string, label: string, fn: () => void) => {
    const b = h("button", { "data-tool": key, onclick: fn }, label);
    buttons.set(key, b);
    toolbar.append(b);
  };
  tb("settings", t("m_settings"), () => showSide(h("h3", null, t("m_settings")), settingsPanel(settings, display, () => restyle().catch((e) => toast(e.message, "error")))));
  tb("distance", t("m_distance"), () => setTool(tool === "distance" ? "none" : "distance"));
  tb("area", t("m_area"), () => setTool(tool === "area" ? "none" : "area"));
  if (canEdit) tb("zone", t("m_draw_zone"), () => setTool(tool === "zone" ? "none" : "zone"));
  if (canEdit) tb("marker", t("m_add_marker"), () => setTool(tool === "marker" ? "none" : "marker"));
  tb("search", t("m_search"), () => showSide(searchPanel(groups.items, Object.keys(lookups.ship_categories || {}), (only) => vessels.setOnly(only), openVessel)));
  tb("groups", t("m_groups"), () => showSide(groups.panel(canEdit, openVessel)));
  tb("atons", t("m_aton_panel"), async () => showSide(await atonTree(openAton, lookups)));
  tb("exports", t("m_exports"), () => showSide(exportsPanel([...zones.zones.values()], groups.items)));
  tb("png", t("m_png"), () => savePng(map));
  const sound = h("label", { class: "inline small" }, h("input", { type: "checkbox", checked: soundOn(), onchange: (e: Event) => setSound((e.target as HTMLInputElement).checked) }), " ", t("m_sound"));
  toolbar.append(sound);

  map.on("click", (e) => {
    if (sketch.active) return sketch.click(e.lngLat);
    if (tool === "marker") {
      setTool("none");
      showSide(h("h3", null, t("m_add_marker")), markers.form({ lat: e.lngLat.lat, lon: e.lngLat.lng }, canEdit, () => showSide()));
      return;
    }
    const layers = ["mui-vessels", "mui-vessel-dots", "mui-hulls", "mui-playback", "mui-atons", "mui-markers", "mui-zones"].filter((l) => map.getLayer(l));
    const hit = map.queryRenderedFeatures(e.point, { layers })[0];
    if (!hit) return;
    const p = hit.properties as any;
    if (["mui-vessels", "mui-vessel-dots", "mui-hulls", "mui-playback"].includes(hit.layer.id)) openVessel(Number(p.mmsi));
    else if (hit.layer.id === "mui-atons") openAton(Number(p.mmsi));
    else if (hit.layer.id === "mui-markers") {
      const m = markers.markers.get(Number(p.id));
      if (m) showSide(h("h3", null, m.name || t("m_markers")), markers.form(m, canEdit, () => showSide()));
    } else if (hit.layer.id === "mui-zones") {
      const z = zones.zones.get(Number(p.id));
      if (z) showSide(h("h3", null, z.name), zones.form(z, sketch, canEdit, () => showSide()), fieldTable({ kind: z.kind, speed_limit_kn: z.speed_limit_kn, alert_on: z.alert_on, active: z.active, created_by: z.created_by }));
    }
  });
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape") return;
    setTool("none");
    measureBox.hidden = true;
  };
  document.addEventListener("keydown", onKey);
  map.on("dblclick", (e) => {
    if (sketch.active) {
      e.preventDefault();
      sketch.finish();
    }
  });
  for (const l of ["mui-vessels", "mui-atons", "mui-markers", "mui-zones"]) {
    map.on("mouseenter", l, () => tool === "none" && (map.getCanvas().style.cursor = "pointer"));
    map.on("mouseleave", l, () => tool === "none" && (map.getCanvas().style.cursor = ""));
  }
  map.on("moveend", () => {
    vessels.drawHulls();
    localStorage.setItem("mui_view", JSON.stringify({ center: map.getCenter().toArray(), zoom: map.getZoom() }));
  });

  // --- data and live updates ---------------------------------------------------------------
  const alerts = new AlertCards((kind, id) => (kind === "aton" ? openAton(Number(id)) : openVessel(Number(id))));
  document.body.append(alerts.el);
  setPopupSkip((p) => p.payload?.alert?.domain === "maritime"); // the chart's own cards show them
  const slider = timeSlider(vessels, tracks, () => groups.items);
  root.append(slider);
  const loadVessels = async () => {
    const res = await fetch("/api/v1/maritime/vessels?format=geojson", { credentials: "same-origin" });
    const fc = await res.json();
    vessels.setAll((fc.features as any[]).map((f) => ({ ...f.properties, lon: f.geometry.coordinates[0], lat: f.geometry.coordinates[1], ts: f.properties.position_ts ?? f.properties.last_seen })));
  };
  await Promise.all([loadVessels(), atons.load(), zones.load(), markers.load(), groups.load()]);
  const off = subscribe(["ais", "alert"], (event) => {
    if (event.topic === "ais.vessel") vessels.queue(event.vessels);
    else if (event.topic === "ais.aton") atons.update(event);
    else if (event.topic === "alert") alerts.handle(event);
  });
  map.once("idle", () => {
    container.dataset.rendered = settings.scheme;
    ready("maritime");
  });
  map.triggerRepaint();
  return () => {
    off();
    vessels.destroy();
    alerts.el.remove();
    setPopupSkip(null);
    document.removeEventListener("keydown", onKey);
    root.classList.remove("mui-root");
    delete (window as any).__muiMap;
    map.remove();
  };
}

/** The map as it is drawn now, as a PNG download (read in the render event, while the
 * drawing buffer still holds the frame). */
function savePng(map: maplibregl.Map): void {
  map.once("render", () => {
    const url = map.getCanvas().toDataURL("image/png");
    const a = h("a", { href: url, download: `hai-do-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, "")}.png` });
    document.body.append(a);
    a.click();
    a.remove();
    (window as any).__muiPng = url.length;
  });
  map.triggerRepaint();
}
