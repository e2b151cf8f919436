// AtoNs on the chart: a mark at the reported position coloured by status (OK green, alarm red,
// lost grey), a ring at the charted position and a line between the two when off position.
// The registry with live status comes from /maritime/atons; ais.aton messages update it.
import type { Map as MLMap, GeoJSONSource } from "maplibre-gl";
import { api } from "../../api";
import type { Scheme } from "./chart";
import { ink } from "./chart";

export const STATUS_COLOURS: Record<string, string> = { ok: "#2ca02c", alarm: "#e01b1b", lost: "#6b6b6b", unknown: "#b0b0b0" };

export interface Aton {
  mmsi: number;
  name?: string;
  kind?: string | null;
  area?: string;
  lat?: number | null;
  lon?: number | null;
  last_lat?: number | null;
  last_lon?: number | null;
  radius_m?: number | null;
  status?: string;
  conditions?: string[] | null;
  voltage?: number | null;
  light?: number | null;
  racon?: number | null;
  [key: string]: unknown;
}

export class AtonLayer {
  atons = new Map<number, Aton>();
  private frame = 0;

  constructor(private map: MLMap, private scheme: () => Scheme) {}

  async load(): Promise<void> {
    const data = await api("/maritime/atons");
    this.atons = new Map((data.items as Aton[]).map((a) => [a.mmsi, a]));
    this.schedule();
  }

  install(): void {
    const map = this.map;
    const empty = { type: "FeatureCollection", features: [] } as any;
    for (const id of ["mui-atons", "mui-aton-lines"]) if (!map.getSource(id)) map.addSource(id, { type: "geojson", data: empty });
    const c = ink(this.scheme());
    map.addLayer({ id: "mui-aton-lines", type: "line", source: "mui-aton-lines", paint: { "line-color": "#e01b1b", "line-width": 2, "line-dasharray": [2, 1] } });
    map.addLayer({ id: "mui-aton-charted", type: "circle", source: "mui-atons", filter: ["==", ["get", "role"], "charted"], paint: { "circle-radius": 6, "circle-opacity": 0, "circle-stroke-width": 1.5, "circle-stroke-color": c.line } });
    map.addLayer({
      id: "mui-atons",
      type: "circle",
      source: "mui-atons",
      filter: ["==", ["get", "role"], "reported"],
      paint: { "circle-radius": ["interpolate", ["linear"], ["zoom"], 6, 4, 14, 8], "circle-color": ["get", "colour"], "circle-stroke-color": c.line, "circle-stroke-width": 1.5 },
    });
    map.addLayer({
      id: "mui-aton-labels",
      type: "symbol",
      source: "mui-atons",
      minzoom: 11,
      filter: ["==", ["get", "role"], "reported"],
      layout: { "text-field": ["get", "name"], "text-font": ["sans-serif"], "text-size": 11, "text-offset": [0, -1.3], "text-anchor": "bottom" },
      paint: { "text-color": c.text, "text-halo-color": c.halo, "text-halo-width": 1.2 },
    });
    this.schedule();
  }

  update(event: Aton): void {
    const old = this.atons.get(event.mmsi) || ({ mmsi: event.mmsi } as Aton);
    const merged: Aton = { ...old };
    for (const [k, v] of Object.entries(event)) if (v !== null && v !== undefined && v !== "") merged[k] = v;
    if (event.conditions) merged.conditions = event.conditions;
    if (old.name) merged.name = old.name; // the registry's name, not the one on air (ASCII, 20 characters)
    if (event.lat !== undefined && event.lat !== null) {
      // live messages carry the reported position as lat/lon; the registry's lat/lon is the chart
      merged.last_lat = event.lat;
      merged.last_lon = event.lon;
      merged.lat = old.lat ?? null;
      merged.lon = old.lon ?? null;
    }
    this.atons.set(event.mmsi, merged);
    this.schedule();
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = 0;
    const points: any[] = [];
    const lines: any[] = [];
    for (const a of this.atons.values()) {
      const charted = a.lat !== null && a.lat !== undefined ? [a.lon, a.lat] : null;
      const reported = a.last_lat !== null && a.last_lat !== undefined ? [a.last_lon, a.last_lat] : null;
      const at = reported || charted;
      if (!at) continue;
      const status = a.status || "unknown";
      const props = { mmsi: a.mmsi, name: a.name || String(a.mmsi), status, colour: STATUS_COLOURS[status] || STATUS_COLOURS.unknown };
      points.push({ type: "Feature", id: a.mmsi, properties: { ...props, role: "reported" }, geometry: { type: "Point", coordinates: at } });
      const off = (a.conditions || []).includes("off_position");
      if (charted && reported && (off || (a.radius_m && Number(a.distance_m) > a.radius_m))) {
        points.push({ type: "Feature", properties: { ...props, role: "charted" }, geometry: { type: "Point", coordinates: charted } });
        lines.push({ type: "Feature", properties: { mmsi: a.mmsi }, geometry: { type: "LineString", coordinates: [charted, reported] } });
      }
    }
    (this.map.getSource("mui-atons") as GeoJSONSource | undefined)?.setData({ type: "FeatureCollection", features: points } as any);
    (this.map.getSource("mui-aton-lines") as GeoJSONSource | undefined)?.setData({ type: "FeatureCollection", features: lines } as any);
  }
}
