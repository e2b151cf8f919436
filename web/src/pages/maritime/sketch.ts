// Drawing on the chart: points added by clicks, a line or polygon shown as it grows, vertices
// that can be dragged (editing a zone's shape), double-click or finish() to end. The measuring
// tools and the zone editor share it.
import type { Map as MLMap, GeoJSONSource, MapMouseEvent } from "maplibre-gl";

export type Pt = [number, number]; // lon, lat

export class Sketch {
  points: Pt[] = [];
  kind: "line" | "polygon" = "line";
  active = false;
  private onChange: (pts: Pt[]) => void = () => {};
  private onFinish: (pts: Pt[]) => void = () => {};
  private dragging = -1;

  constructor(private map: MLMap) {
    map.on("mousedown", "mui-sketch-vertices", (e) => this.grab(e));
    map.on("mousemove", (e) => this.drag(e));
    map.on("mouseup", () => this.drop());
  }

  install(): void {
    const map = this.map;
    if (!map.getSource("mui-sketch")) map.addSource("mui-sketch", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    map.addLayer({ id: "mui-sketch-fill", type: "fill", source: "mui-sketch", filter: ["==", ["geometry-type"], "Polygon"], paint: { "fill-color": "#ff6a00", "fill-opacity": 0.15 } });
    map.addLayer({ id: "mui-sketch-line", type: "line", source: "mui-sketch", filter: ["!=", ["geometry-type"], "Point"], paint: { "line-color": "#ff6a00", "line-width": 2.5, "line-dasharray": [3, 1] } });
    map.addLayer({ id: "mui-sketch-vertices", type: "circle", source: "mui-sketch", filter: ["==", ["geometry-type"], "Point"], paint: { "circle-radius": 5, "circle-color": "#fff", "circle-stroke-color": "#ff6a00", "circle-stroke-width": 2 } });
    this.draw();
  }

  start(kind: "line" | "polygon", onChange: (pts: Pt[]) => void, onFinish: (pts: Pt[]) => void, initial: Pt[] = []): void {
    this.kind = kind;
    this.points = initial.slice();
    this.onChange = onChange;
    this.onFinish = onFinish;
    this.active = true;
    this.map.doubleClickZoom.disable();
    this.map.getCanvas().style.cursor = "crosshair";
    this.draw();
  }

  stop(): void {
    this.active = false;
    this.points = [];
    this.dragging = -1;
    this.map.doubleClickZoom.enable();
    this.map.getCanvas().style.cursor = "";
    this.draw();
  }

  click(lngLat: { lng: number; lat: number }): void {
    if (!this.active) return;
    const p: Pt = [lngLat.lng, lngLat.lat];
    const last = this.points[this.points.length - 1];
    if (last && last[0] === p[0] && last[1] === p[1]) return; // the second click of a double-click
    this.points.push(p);
    this.draw();
    this.onChange(this.points);
  }

  finish(): void {
    if (!this.active) return;
    const pts = this.points.slice();
    const fn = this.onFinish;
    this.stop();
    fn(pts);
  }

  private grab(e: MapMouseEvent & { features?: any[] }): void {
    if (!this.active || !e.features?.length) return;
    e.preventDefault(); // no map pan while a vertex moves
    this.dragging = Number(e.features[0].properties.i);
  }

  private drag(e: MapMouseEvent): void {
    if (this.dragging < 0) return;
    this.points[this.dragging] = [e.lngLat.lng, e.lngLat.lat];
    this.draw();
    this.onChange(this.points);
  }

  private drop(): void {
    this.dragging = -1;
  }

  draw(): void {
    const src = this.map.getSource("mui-sketch") as GeoJSONSource | undefined;
    if (!src) return;
    const features: any[] = this.points.map((p, i) => ({ type: "Feature", properties: { i }, geometry: { type: "Point", coordinates: p } }));
    if (this.points.length >= 2) {
      const closed = this.kind === "polygon" && this.points.length >= 3;
      features.push(
        closed
          ? { type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[...this.points, this.points[0]]] } }
          : { type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: this.points } },
      );
    }
    src.setData({ type: "FeatureCollection", features } as any);
  }
}
