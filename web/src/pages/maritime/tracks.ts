// Tracks on the chart (a vessel's recent history, or the tracks played back with the time
// slider): lines from /maritime/tracks, and for playback a marker per vessel at the slider's
// time, interpolated between the stored points around it.
import type { Map as MLMap, GeoJSONSource } from "maplibre-gl";
import { api } from "../../api";

export interface TrackPoint {
  mmsi: number;
  ts: number;
  lat: number;
  lon: number;
  sog?: number | null;
  cog?: number | null;
}

export class TrackLayer {
  byVessel = new Map<number, TrackPoint[]>();
  at: number | null = null;

  constructor(private map: MLMap) {}

  install(): void {
    const empty = { type: "FeatureCollection", features: [] } as any;
    for (const id of ["mui-tracks", "mui-playback"]) if (!this.map.getSource(id)) this.map.addSource(id, { type: "geojson", data: empty });
    this.map.addLayer({ id: "mui-tracks", type: "line", source: "mui-tracks", paint: { "line-color": "#ff2d95", "line-width": 2, "line-opacity": 0.8 } });
    this.map.addLayer({ id: "mui-playback", type: "circle", source: "mui-playback", paint: { "circle-radius": 7, "circle-color": "#ff2d95", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
    this.draw();
  }

  async load(query: { mmsi?: number[]; group?: number | null }, from: number, to: number): Promise<number> {
    const data = await api("/maritime/tracks", { query: { mmsi: query.mmsi, group: query.group ?? undefined, from, to } });
    this.byVessel = new Map();
    for (const p of data.items as TrackPoint[]) {
      const list = this.byVessel.get(p.mmsi) || [];
      list.push(p);
      this.byVessel.set(p.mmsi, list);
    }
    for (const list of this.byVessel.values()) list.sort((a, b) => a.ts - b.ts);
    this.draw();
    return data.total;
  }

  clear(): void {
    this.byVessel = new Map();
    this.at = null;
    this.draw();
  }

  /** Where each played-back vessel was at time t (none before its first point). */
  positionsAt(t: number): { mmsi: number; lon: number; lat: number }[] {
    const out = [];
    for (const [mmsi, pts] of this.byVessel) {
      if (!pts.length || t < pts[0].ts) continue;
      let i = pts.findIndex((p) => p.ts > t);
      if (i === -1) i = pts.length;
      const a = pts[i - 1];
      const b = pts[i];
      if (!b) out.push({ mmsi, lon: a.lon, lat: a.lat });
      else {
        const f = (t - a.ts) / (b.ts - a.ts);
        out.push({ mmsi, lon: a.lon + (b.lon - a.lon) * f, lat: a.lat + (b.lat - a.lat) * f });
      }
    }
    return out;
  }

  setTime(t: number | null): void {
    this.at = t;
    this.draw();
  }

  draw(): void {
    const lines = [...this.byVessel].filter(([, pts]) => pts.length > 1).map(([mmsi, pts]) => ({
      type: "Feature", properties: { mmsi }, geometry: { type: "LineString", coordinates: pts.map((p) => [p.lon, p.lat]) },
    }));
    (this.map.getSource("mui-tracks") as GeoJSONSource | undefined)?.setData({ type: "FeatureCollection", features: lines } as any);
    const marks = this.at === null ? [] : this.positionsAt(this.at).map((p) => ({ type: "Feature", properties: { mmsi: p.mmsi }, geometry: { type: "Point", coordinates: [p.lon, p.lat] } }));
    (this.map.getSource("mui-playback") as GeoJSONSource | undefined)?.setData({ type: "FeatureCollection", features: marks } as any);
  }
}
