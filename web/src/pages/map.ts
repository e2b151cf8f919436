import { api } from "../api";
import { h, select } from "../dom";
import { COMPONENTS, STATUS_COLOURS, fmtTime } from "../format";
import { pick, t } from "../i18n";
import { subscribe } from "../live";
import { feature, ready } from "../state";
import { createMap, maplibregl } from "../components/basemap";
import { stationLabel } from "./stations";

export default async function mapPage(root: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<() => void> {
  const provinces = await api("/provinces");
  const state = { province: query.get("province") || "", component: query.get("component") || "", colour: query.get("colour") || "status" };
  const legend = h("div", { class: "legend" });
  const container = h("div", { class: "map", id: "station-map" });
  root.append(
    h("h1", null, t("map")),
    h("div", { class: "filters" },
      h("label", null, t("province"), select([["", t("all")], ...provinces.items.map((p: any) => [p.code, p.name] as [string, string])], state.province, (v) => { state.province = v; load(); })),
      h("label", null, t("component"), select([["", t("all")], ...COMPONENTS.map((c) => [c, t(c)] as [string, string])], state.component, (v) => { state.component = v; load(); })),
      h("label", null, t("colour_by"), select([["status", t("status")], ...(feature("aqi") ? [["aqi", "VN_AQI"] as [string, string]] : [])], state.colour, (v) => { state.colour = v; load(); })),
    ),
    h("div", { class: "map-wrap" }, container, legend),
  );
  const map = await createMap(container);
  map.addSource("stations", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({
    id: "stations",
    type: "circle",
    source: "stations",
    paint: { "circle-radius": 7, "circle-color": ["get", "colour"], "circle-stroke-color": "#fff", "circle-stroke-width": 1.5 },
  });
  map.addLayer({
    id: "station-labels",
    type: "symbol",
    source: "stations",
    minzoom: 7,
    layout: { "text-field": ["get", "label"], "text-font": ["sans-serif"], "text-size": 11, "text-offset": [0, 1.2], "text-anchor": "top" },
    paint: { "text-color": "#222", "text-halo-color": "#fff", "text-halo-width": 1.2 },
  });
  let byCode = new Map<string, any>();
  const popup = (s: any) =>
    h("div", { class: "popup" },
      h("strong", null, stationLabel(s)), h("br"),
      h("code", null, s.code), h("br"),
      `${t("status")}: ${t(s.status || "unknown")}`, h("br"),
      s.aqi ? [`VN_AQI: ${s.aqi.aqi} (${pick(s.aqi.category, s.aqi.category_en)})`, h("br")] : null,
      `${t("last_data")}: ${fmtTime(s.last_obs_ts, s.utc_offset_min)}`, h("br"),
      h("a", { href: `/stations/${encodeURIComponent(s.code)}` }, t("details") + " →"));
  map.on("click", "stations", (e: any) => {
    const f = e.features?.[0];
    const s = f && byCode.get(String(f.properties?.code));
    if (s) new maplibregl.Popup().setLngLat([s.lon, s.lat]).setDOMContent(popup(s)).addTo(map);
  });
  map.on("mouseenter", "stations", () => (map.getCanvas().style.cursor = "pointer"));
  map.on("mouseleave", "stations", () => (map.getCanvas().style.cursor = ""));

  async function load(): Promise<void> {
    const data = await api("/stations", { query: { province: state.province, component: state.component, limit: 5000 } });
    let aqi = new Map<string, any>();
    if (state.colour === "aqi" && feature("aqi")) {
      const latest = await api("/aqi/latest");
      aqi = new Map(latest.items.map((i: any) => [i.station, i]));
    }
    const items = data.items.filter((s: any) => s.lat !== null && s.lon !== null);
    byCode = new Map(items.map((s: any) => [s.code, { ...s, aqi: aqi.get(s.code) }]));
    const features = items.map((s: any) => {
      const a = aqi.get(s.code);
      const colour = state.colour === "aqi" ? (a ? a.colour : "#c0c0c0") : STATUS_COLOURS[s.status || "unknown"];
      return { type: "Feature", properties: { code: s.code, colour, label: state.colour === "aqi" && a ? `${s.name} ${a.aqi}` : s.name }, geometry: { type: "Point", coordinates: [s.lon, s.lat] } };
    });
    (map.getSource("stations") as maplibregl.GeoJSONSource).setData({ type: "FeatureCollection", features } as any);
    const keys = state.colour === "aqi" ? [] : ["good", "exceeding", "device_error", "calibrating", "disconnected", "unknown"];
    legend.replaceChildren(
      h("strong", null, `${items.length} ${t("stations_count")}`),
      ...keys.map((k) => h("div", null, h("span", { class: "dot", style: `background:${STATUS_COLOURS[k]}` }), " ", t(k))),
    );
    if (state.colour === "aqi" && feature("aqi")) {
      const cats = await api("/aqi/categories");
      legend.append(...cats.items.map((c: any) => h("div", null, h("span", { class: "dot", style: `background:${c.colour}` }), ` ${c.min}–${c.max} ${pick(c.vi, c.en)}`)));
    }
    const focus = query.get("station");
    const target = focus ? byCode.get(focus) : null;
    if (target) {
      map.jumpTo({ center: [target.lon, target.lat], zoom: 10 });
      new maplibregl.Popup().setLngLat([target.lon, target.lat]).setDOMContent(popup(target)).addTo(map);
    } else if (items.length && (state.province || items.length < 50)) {
      const bounds = new maplibregl.LngLatBounds();
      items.forEach((s: any) => bounds.extend([s.lon, s.lat]));
      map.fitBounds(bounds, { padding: 60, maxZoom: 9, duration: 0 });
    }
    map.once("idle", () => {
      (window as any).__mapStations = items.length;
      ready("map");
    });
    map.triggerRepaint();
  }
  await load();
  const off = subscribe(["env.status"], () => load());
  return () => {
    off();
    map.remove();
  };
}
