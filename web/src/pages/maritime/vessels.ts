// Vessels on the chart: one GeoJSON source (feature id = MMSI) and a symbol layer with an icon
// per ship category, rotated by heading (else course); when zoomed in, a hull polygon drawn to
// scale from the AIS dimensions. Live updates are queued and applied once per animation frame
// (updateData diffs), so thousands of reports a second cost one source update per frame.
import type { Map as MLMap, GeoJSONSource } from "maplibre-gl";
import type { Scheme } from "./chart";
import { ink } from "./chart";

export interface Vessel {
  mmsi: number;
  lat: number | null;
  lon: number | null;
  sog?: number | null;
  cog?: number | null;
  heading?: number | null;
  nav_status?: number | null;
  name?: string | null;
  ship_type?: number | null;
  length?: number | null;
  width?: number | null;
  to_bow?: number | null;
  to_stern?: number | null;
  to_port?: number | null;
  to_starboard?: number | null;
  flag?: string | null;
  callsign?: string | null;
  station?: string | null;
  ts?: number | null;
}

export const CAT_COLOURS: Record<string, string> = {
  cargo: "#2e8b57", tanker: "#d62728", passenger: "#1f5fd6", fishing: "#ff8c00", tug: "#8c564b",
  hsc: "#e6c200", pleasure: "#c45ad6", special: "#17becf", sar: "#ff00ff", other: "#8a8a8a",
};

export function category(v: Vessel): string {
  const s = v.ship_type ?? 0;
  if (v.station === "sar" || s === 51) return "sar";
  if (s === 30) return "fishing";
  if (s === 31 || s === 32 || s === 52) return "tug";
  if (s === 36 || s === 37) return "pleasure";
  if (s >= 40 && s < 50) return "hsc";
  if ((s >= 33 && s <= 35) || (s >= 50 && s < 60)) return "special";
  if (s >= 60 && s < 70) return "passenger";
  if (s >= 70 && s < 80) return "cargo";
  if (s >= 80 && s < 90) return "tanker";
  return "other";
}

function course(v: Vessel): number | null {
  if (v.heading !== null && v.heading !== undefined && v.heading < 360) return v.heading;
  if (v.cog !== null && v.cog !== undefined && (v.sog ?? 0) >= 0.5) return v.cog;
  return null;
}

/** A ship icon (pointed bow, pointing north) or a circle when the course is unknown. */
export function vesselIcon(id: string): ImageData | null {
  const m = id.match(/^v-([a-z]+)(-still)?$/);
  if (!m) return null;
  const colour = CAT_COLOURS[m[1]] || CAT_COLOURS.other;
  const canvas = document.createElement("canvas");
  canvas.width = 32;
  canvas.height = 44;
  const g = canvas.getContext("2d")!;
  g.fillStyle = colour;
  g.strokeStyle = "#111";
  g.lineWidth = 2.5;
  g.beginPath();
  if (m[2]) g.arc(16, 22, 9, 0, Math.PI * 2);
  else {
    g.moveTo(16, 2);
    g.lineTo(28, 30);
    g.lineTo(26, 42);
    g.lineTo(6, 42);
    g.lineTo(4, 30);
    g.closePath();
  }
  g.fill();
  g.stroke();
  return g.getImageData(0, 0, 32, 44);
}

const DEG = 111320;
export const DOTS_BELOW = 8;
/** Hull outline to scale around the GPS antenna (dimensions A/B/C/D, else centred). */
function hull(v: Vessel): [number, number][] | null {
  const len = v.length ?? ((v.to_bow ?? 0) + (v.to_stern ?? 0));
  const wid = v.width ?? ((v.to_port ?? 0) + (v.to_starboard ?? 0));
  if (!len || !wid || v.lat === null || v.lon === null) return null;
  const bow = v.to_bow ?? len / 2, stern = v.to_stern ?? len / 2;
  const port = v.to_port ?? wid / 2, stbd = v.to_starboard ?? wid / 2;
  const rot = ((course(v) ?? 0) * Math.PI) / 180;
  const shoulder = bow - Math.min(len * 0.2, wid);
  const mid = (stbd - port) / 2;
  const local: [number, number][] = [[mid, bow], [stbd, shoulder], [stbd, -stern], [-port, -stern], [-port, shoulder], [mid, bow]];
  const cosLat = Math.cos((v.lat * Math.PI) / 180);
  return local.map(([x, y]) => {
    const e = x * Math.cos(rot) + y * Math.sin(rot);
    const n = -x * Math.sin(rot) + y * Math.cos(rot);
    return [v.lon! + e / (DEG * cosLat), v.lat! + n / DEG];
  });
}

export class VesselLayer {
  vessels = new Map<number, Vessel>();
  past: Map<number, Vessel> | null = null; // the time slider's picture, when looking back
  groupColour = new Map<number, string>();
  only: Set<number> | null = null;
  selected: number | null = null;
  staleSeconds = 1800;
  private pending = new Map<number, Vessel>();
  private rebuild = true;
  private frame = 0;
  updates = 0; // source updates done (the bench reads it)

  constructor(private map: MLMap, private scheme: () => Scheme) {}

  /** Sources and layers; called after every style change. */
  install(): void {
    const map = this.map;
    const empty = { type: "FeatureCollection", features: [] } as any;
    if (!map.getSource("mui-vessels")) map.addSource("mui-vessels", { type: "geojson", data: empty });
    if (!map.getSource("mui-hulls")) map.addSource("mui-hulls", { type: "geojson", data: empty });
    const c = ink(this.scheme());
    const filter: any = this.only ? ["in", ["get", "mmsi"], ["literal", [...this.only]]] : ["boolean", true];
    map.addLayer({ id: "mui-hulls", type: "fill", source: "mui-hulls", minzoom: 13.5, filter, paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.75, "fill-outline-color": c.line } });
    map.addLayer({ id: "mui-vessel-ring", type: "circle", source: "mui-vessels", filter: ["all", filter, ["!=", ["get", "gc"], ""]], paint: { "circle-radius": 13, "circle-opacity": 0, "circle-stroke-width": 3, "circle-stroke-color": ["get", "gc"] } });
    map.addLayer({ id: "mui-vessel-sel", type: "circle", source: "mui-vessels", filter: ["==", ["get", "mmsi"], this.selected ?? -1], paint: { "circle-radius": 16, "circle-opacity": 0, "circle-stroke-width": 3, "circle-stroke-color": "#ff2d2d" } });
    // zoomed out, a dot per vessel: thousands of rotated icons cost far more to place and draw
    // (software GL), and cannot be told apart at that scale anyway
    const colour: any = ["match", ["get", "cat"], ...Object.entries(CAT_COLOURS).flat(), CAT_COLOURS.other];
    map.addLayer({ id: "mui-vessel-dots", type: "circle", source: "mui-vessels", maxzoom: DOTS_BELOW, filter, paint: { "circle-radius": 2.5, "circle-color": colour, "circle-opacity": ["case", ["get", "stale"], 0.45, 1] } });
    map.addLayer({
      id: "mui-vessels",
      type: "symbol",
      source: "mui-vessels",
      minzoom: DOTS_BELOW,
      filter,
      layout: {
        "icon-image": ["step", ["zoom"], ["get", "icon"], 13.5, ["case", ["get", "hull"], "", ["get", "icon"]]],
        "icon-size": ["interpolate", ["linear"], ["zoom"], 4, 0.5, 10, 0.85, 14, 1],
        "icon-rotate": ["get", "rot"],
        "icon-rotation-alignment": "map",
        "icon-allow-overlap": true,
        "icon-ignore-placement": true,
        "text-field": ["step", ["zoom"], "", 12, ["get", "name"]],
        "text-font": ["sans-serif"],
        "text-size": 11,
        "text-offset": [0, 1.4],
        "text-anchor": "top",
        "text-optional": true,
      },
      paint: { "icon-opacity": ["case", ["get", "stale"], 0.45, 1], "text-color": c.text, "text-halo-color": c.halo, "text-halo-width": 1.2 },
    });
    this.rebuild = true;
    this.schedule();
  }

  setOnly(only: Set<number> | null): void {
    this.only = only;
    const filter: any = only ? ["in", ["get", "mmsi"], ["literal", [...only]]] : ["boolean", true];
    this.map.setFilter("mui-vessels", filter);
    this.map.setFilter("mui-hulls", filter);
    this.map.setFilter("mui-vessel-dots", filter);
    this.map.setFilter("mui-vessel-ring", ["all", filter, ["!=", ["get", "gc"], ""]]);
  }

  select(mmsi: number | null): void {
    this.selected = mmsi;
    this.map.setFilter("mui-vessel-sel", ["==", ["get", "mmsi"], mmsi ?? -1]);
  }

  setAll(items: Vessel[]): void {
    this.vessels = new Map(items.filter((v) => v.lat !== null && v.lon !== null).map((v) => [v.mmsi, v]));
    this.pending.clear();
    this.rebuild = true;
    this.schedule();
  }

  /** Live reports (merged with what is known: a brief report never erases static data). */
  queue(items: Vessel[]): void {
    for (const v of items) {
      if (v.lat === null || v.lon === null) continue;
      let merged = this.vessels.get(v.mmsi);
      if (merged) {
        const into = merged as unknown as Record<string, unknown>;
        const from = v as unknown as Record<string, unknown>;
        for (const k in from) if (from[k] !== null && from[k] !== undefined) into[k] = from[k];
      } else {
        merged = { ...v };
        this.vessels.set(v.mmsi, merged);
      }
      this.pending.set(v.mmsi, merged);
    }
    if (!this.past) this.schedule();
  }

  showPast(items: Vessel[] | null): void {
    this.past = items ? new Map(items.map((v) => [v.mmsi, v])) : null;
    this.rebuild = true;
    this.schedule();
  }

  current(): Map<number, Vessel> {
    return this.past || this.vessels;
  }

  feature(v: Vessel, now: number): any {
    const rot = course(v);
    const cat = category(v);
    return {
      type: "Feature",
      id: v.mmsi,
      geometry: { type: "Point", coordinates: [v.lon, v.lat] },
      properties: {
        mmsi: v.mmsi,
        name: v.name || String(v.mmsi),
        icon: rot === null ? `v-${cat}-still` : `v-${cat}`,
        rot: rot ?? 0,
        cat,
        stale: !this.past && v.ts !== null && v.ts !== undefined && now - v.ts > this.staleSeconds,
        gc: this.groupColour.get(v.mmsi) || "",
        hull: !!(v.length || ((v.to_bow ?? 0) + (v.to_stern ?? 0))),
      },
    };
  }

  private schedule(): void {
    if (!this.frame) this.frame = requestAnimationFrame(() => this.flush());
  }

  private flush(): void {
    this.frame = 0;
    const src = this.map.getSource("mui-vessels") as GeoJSONSource | undefined;
    if (!src) return;
    const now = Date.now() / 1000;
    if (this.rebuild || this.past) {
      this.rebuild = false;
      this.pending.clear();
      src.setData({ type: "FeatureCollection", features: [...this.current().values()].map((v) => this.feature(v, now)) } as any);
    } else if (this.pending.size) {
      const add = [...this.pending.values()].map((v) => this.feature(v, now));
      this.pending.clear();
      try {
        src.updateData({ add } as any);
      } catch {
        src.setData({ type: "FeatureCollection", features: [...this.vessels.values()].map((v) => this.feature(v, now)) } as any);
      }
    } else return;
    this.updates++;
    this.drawHulls();
  }

  /** To-scale hulls for the vessels in view, only when zoomed in far enough to see them. */
  drawHulls(): void {
    const src = this.map.getSource("mui-hulls") as GeoJSONSource | undefined;
    if (!src) return;
    if (this.map.getZoom() < 13.5) {
      src.setData({ type: "FeatureCollection", features: [] } as any);
      return;
    }
    const b = this.map.getBounds();
    const features = [];
    for (const v of this.current().values()) {
      if (v.lon === null || v.lat === null || !b.contains([v.lon, v.lat])) continue;
      const ring = hull(v);
      if (ring) features.push({ type: "Feature", properties: { mmsi: v.mmsi, colour: CAT_COLOURS[category(v)] }, geometry: { type: "Polygon", coordinates: [ring] } });
    }
    src.setData({ type: "FeatureCollection", features } as any);
  }

  destroy(): void {
    if (this.frame) cancelAnimationFrame(this.frame);
  }
}
