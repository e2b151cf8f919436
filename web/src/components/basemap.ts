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

export interface BaseColours {
  sea: string;
  land: string;
  coast: string;
  border: string;
  text: string;
}

const DAY_COLOURS: BaseColours = { sea: "#cfe3f3", land: "#f4f1e8", coast: "#a9a48f", border: "#9a8f7a", text: "#33566e" };

/** The base map's sources and layers (ids prefixed "base-" when `prefix` is set), so a page can
 * put them under another style (the ENC chart) in the colours of that style. */
export async function baseStyleParts(colours: BaseColours = DAY_COLOURS, prefix = ""): Promise<{ sources: Record<string, any>; layers: any[] }> {
  const base = await loadBase();
  const id = (name: string) => prefix + name;
  return {
    sources: {
      [id("land")]: { type: "geojson", data: base.land },
      [id("borders")]: { type: "geojson", data: { type: "Feature", properties: {}, geometry: base.borders } },
      [id("islands")]: {
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
      { id: id("sea"), type: "background", paint: { "background-color": colours.sea } },
      { id: id("land"), type: "fill", source: id("land"), paint: { "fill-color": colours.land, "fill-outline-color": colours.coast } },
      { id: id("borders"), type: "line", source: id("borders"), paint: { "line-color": colours.border, "line-width": 1, "line-dasharray": [3, 2] } },
      {
        id: id("islands"),
        type: "symbol",
        source: id("islands"),
        layout: { "text-field": ["get", "label"], "text-font": ["sans-serif"], "text-size": 11 },
        paint: { "text-color": colours.text, "text-halo-color": colours.sea, "text-halo-width": 1.5 },
      },
    ],
  };
}

export async function createMap(container: HTMLElement, options: { center?: [number, number]; zoom?: number; preserveDrawingBuffer?: boolean } = {}): Promise<maplibregl.Map> {
  const parts = await baseStyleParts();
  const map = new maplibregl.Map({
    container,
    center: options.center || [106.2, 16.0],
    zoom: options.zoom ?? 4.6,
    attributionControl: { compact: true, customAttribution: "Natural Earth" },
    canvasContextAttributes: options.preserveDrawingBuffer ? { preserveDrawingBuffer: true } : undefined,
    style: { version: 8, sources: parts.sources, layers: parts.layers },
  });
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibregl.ScaleControl({ unit: "metric" }), "bottom-left");
  await new Promise<void>((resolve) => map.once("load", () => resolve()));
  return map;
}

export { maplibregl };
