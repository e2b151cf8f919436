// An offline base map: Natural Earth land and borders from the npm package world-atlas,
// converted from TopoJSON in the browser. No tile server, no CDN.
import type { FeatureCollection, MultiLineString } from "geojson";
import * as maplibregl from "maplibre-gl";
import workerUrl from "maplibre-gl/dist/maplibre-gl-worker.mjs?url";
import "maplibre-gl/dist/maplibre-gl.css";
import { feature, mesh } from "topojson-client";
import type { Topology } from "topojson-specification";
import landUrl from "world-atlas/land-50m.json?url";
import countriesUrl from "world-atlas/countries-50m.json?url";
import { t } from "../i18n";

maplibregl.setWorkerUrl(workerUrl);

let cache: Promise<{ land: FeatureCollection; borders: MultiLineString }> | null = null;

function loadBase() {
  cache ??= Promise.all([fetch(landUrl).then((r) => r.json()), fetch(countriesUrl).then((r) => r.json())]).then(
    ([land, countries]: [Topology, Topology]) => ({
      land: feature(land, land.objects.land) as unknown as FeatureCollection,
      // land borders only (shared edges), so no island is attributed by the base map
      borders: mesh(countries, countries.objects.countries as any, (a: unknown, b: unknown) => a !== b) as MultiLineString,
    }),
  );
  return cache;
}

export async function createMap(container: HTMLElement, options: { center?: [number, number]; zoom?: number } = {}): Promise<maplibregl.Map> {
  const base = await loadBase();
  const map = new maplibregl.Map({
    container,
    center: options.center || [106.2, 16.0],
    zoom: options.zoom ?? 4.6,
    attributionControl: { compact: true, customAttribution: "Natural Earth" },
    style: {
      version: 8,
      sources: {
        land: { type: "geojson", data: base.land },
        borders: { type: "geojson", data: { type: "Feature", properties: {}, geometry: base.borders } },
        islands: {
          type: "geojson",
          data: {
            type: "FeatureCollection",
            features: [
              { type: "Feature", properties: { label: t("hoang_sa") }, geometry: { type: "Point", coordinates: [112.0, 16.5] } },
              { type: "Feature", properties: { label: t("truong_sa") }, geometry: { type: "Point", coordinates: [114.0, 10.0] } },
            ],
          },
        },
      },
      layers: [
        { id: "sea", type: "background", paint: { "background-color": "#cfe3f3" } },
        { id: "land", type: "fill", source: "land", paint: { "fill-color": "#f4f1e8", "fill-outline-color": "#a9a48f" } },
        { id: "borders", type: "line", source: "borders", paint: { "line-color": "#9a8f7a", "line-width": 1, "line-dasharray": [3, 2] } },
        {
          id: "islands",
          type: "symbol",
          source: "islands",
          layout: { "text-field": ["get", "label"], "text-font": ["sans-serif"], "text-size": 11 },
          paint: { "text-color": "#33566e", "text-halo-color": "#cfe3f3", "text-halo-width": 1.5 },
        },
      ],
    },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  await new Promise<void>((resolve) => map.once("load", () => resolve()));
  return map;
}

export { maplibregl };
