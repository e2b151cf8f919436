// Markers with notes: points the operators put on the chart, kept on the server.
import type { Map as MLMap, GeoJSONSource } from "maplibre-gl";
import { api } from "../../api";
import { h, toast } from "../../dom";
import { t } from "../../i18n";
import type { Scheme } from "./chart";
import { ink } from "./chart";

export interface Marker {
  id: number;
  lat: number;
  lon: number;
  name: string;
  note: string;
  color: string | null;
}

export class MarkerLayer {
  markers = new Map<number, Marker>();
  constructor(private map: MLMap, private scheme: () => Scheme) {}

  async load(): Promise<void> {
    const data = await api("/maritime/markers");
    this.markers = new Map((data.items as Marker[]).map((m) => [m.id, m]));
    this.draw();
  }

  install(): void {
    if (!this.map.getSource("mui-markers")) this.map.addSource("mui-markers", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    const c = ink(this.scheme());
    this.map.addLayer({ id: "mui-markers", type: "circle", source: "mui-markers", paint: { "circle-radius": 6, "circle-color": ["get", "colour"], "circle-stroke-color": c.halo, "circle-stroke-width": 2 } });
    this.map.addLayer({ id: "mui-marker-labels", type: "symbol", source: "mui-markers", layout: { "text-field": ["get", "name"], "text-font": ["sans-serif"], "text-size": 11, "text-offset": [0, 1.1], "text-anchor": "top" }, paint: { "text-color": c.text, "text-halo-color": c.halo, "text-halo-width": 1.2 } });
    this.draw();
  }

  draw(): void {
    const features = [...this.markers.values()].map((m) => ({ type: "Feature", id: m.id, properties: { id: m.id, name: m.name, colour: m.color || "#7b2cbf" }, geometry: { type: "Point", coordinates: [m.lon, m.lat] } }));
    (this.map.getSource("mui-markers") as GeoJSONSource | undefined)?.setData({ type: "FeatureCollection", features } as any);
  }

  form(m: Partial<Marker> & { lat: number; lon: number }, canEdit: boolean, onDone: () => void): HTMLElement {
    const name = h("input", { name: "marker-name", value: m.name || "", maxlength: 120, disabled: !canEdit });
    const note = h("textarea", { name: "marker-note", rows: 4, disabled: !canEdit }, m.note || "");
    const colour = h("input", { name: "marker-colour", type: "color", value: m.color || "#7b2cbf", disabled: !canEdit });
    const save = async () => {
      const body = { lat: m.lat, lon: m.lon, name: name.value, note: note.value, color: colour.value };
      try {
        const row: Marker = m.id ? await api(`/maritime/markers/${m.id}`, { method: "PATCH", body }) : await api("/maritime/markers", { method: "POST", body });
        this.markers.set(row.id, row);
        this.draw();
        toast(t("m_saved"));
        onDone();
      } catch (err) {
        toast((err as Error).message, "error");
      }
    };
    const remove = async () => {
      if (!m.id) return;
      await api(`/maritime/markers/${m.id}`, { method: "DELETE" });
      this.markers.delete(m.id);
      this.draw();
      onDone();
    };
    return h("form", { class: "mui-form", "data-marker-form": m.id || "new", onsubmit: (e: Event) => { e.preventDefault(); save(); } },
      h("div", { class: "small muted" }, `${m.lat.toFixed(5)}, ${m.lon.toFixed(5)}`),
      h("label", null, t("m_name"), name),
      h("label", null, t("m_note"), note),
      h("label", null, t("m_colour"), colour),
      canEdit ? h("div", { class: "mui-row" }, h("button", { type: "submit", class: "primary" }, t("save")), m.id ? h("button", { type: "button", onclick: remove }, t("m_delete")) : null) : null);
  }
}
