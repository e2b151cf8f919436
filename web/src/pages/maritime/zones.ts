// Zones: drawn from /maritime/zones (fill in the zone's colour, outline, name); drawn and
// edited with the sketch; properties in a form; every change saved on the server.
import type { Map as MLMap, GeoJSONSource } from "maplibre-gl";
import { api } from "../../api";
import { h, select, toast } from "../../dom";
import { t } from "../../i18n";
import type { Scheme } from "./chart";
import { ink } from "./chart";
import type { Pt, Sketch } from "./sketch";

export interface Zone {
  id: number;
  name: string;
  kind: string;
  speed_limit_kn: number | null;
  alert_on: string;
  color: string | null;
  geometry: any;
  active?: boolean;
  [key: string]: unknown;
}

export class ZoneLayer {
  zones = new Map<number, Zone>();
  kinds: string[] = ["watch", "danger", "restricted"];

  constructor(private map: MLMap, private scheme: () => Scheme) {}

  async load(): Promise<void> {
    const data = await api("/maritime/zones");
    this.zones = new Map((data.items as Zone[]).map((z) => [z.id, z]));
    this.draw();
  }

  install(): void {
    if (!this.map.getSource("mui-zones")) this.map.addSource("mui-zones", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
    const c = ink(this.scheme());
    this.map.addLayer({ id: "mui-zones", type: "fill", source: "mui-zones", paint: { "fill-color": ["get", "colour"], "fill-opacity": 0.12 } });
    this.map.addLayer({ id: "mui-zone-lines", type: "line", source: "mui-zones", paint: { "line-color": ["get", "colour"], "line-width": 2 } });
    this.map.addLayer({
      id: "mui-zone-labels",
      type: "symbol",
      source: "mui-zones",
      minzoom: 9,
      layout: { "text-field": ["get", "name"], "text-font": ["sans-serif"], "text-size": 12, "symbol-placement": "point" },
      paint: { "text-color": ["get", "colour"], "text-halo-color": c.halo, "text-halo-width": 1.5 },
    });
    this.draw();
  }

  draw(): void {
    const features = [...this.zones.values()].filter((z) => z.geometry).map((z) => ({
      type: "Feature",
      id: z.id,
      properties: { id: z.id, name: z.name, colour: z.color || (z.kind === "danger" || z.kind === "restricted" ? "#d62728" : "#1f77b4") },
      geometry: z.geometry,
    }));
    (this.map.getSource("mui-zones") as GeoJSONSource | undefined)?.setData({ type: "FeatureCollection", features } as any);
  }

  /** The property form; saves a new zone (POST) or changes one (PATCH). */
  form(zone: Partial<Zone> & { geometry: any }, sketch: Sketch, canEdit: boolean, onDone: () => void): HTMLElement {
    const name = h("input", { name: "zone-name", value: zone.name || "", required: true, disabled: !canEdit });
    const kind = select(this.kinds.map((k) => [k, k] as [string, string]), zone.kind || "watch", () => {}, { name: "zone-kind", disabled: !canEdit });
    const speed = h("input", { name: "zone-speed", type: "number", min: 0, step: 0.1, value: zone.speed_limit_kn ?? "", disabled: !canEdit });
    const alertOn = select([["enter", t("m_enter")], ["exit", t("m_exit")], ["both", t("m_both")], ["none", t("m_none")]], zone.alert_on || "enter", () => {}, { name: "zone-alert", disabled: !canEdit });
    const colour = h("input", { name: "zone-colour", type: "color", value: zone.color || "#1f77b4", disabled: !canEdit });
    let geometry = zone.geometry;
    const save = async () => {
      if (!name.value.trim()) {
        name.focus();
        return;
      }
      const props = { name: name.value.trim(), kind: kind.value, speed_limit_kn: speed.value === "" ? null : Number(speed.value), alert_on: alertOn.value, color: colour.value };
      try {
        const row: Zone = zone.id
          ? await api(`/maritime/zones/${zone.id}`, { method: "PATCH", body: { ...props, geometry } })
          : await api("/maritime/zones", { method: "POST", body: { type: "Feature", properties: props, geometry } });
        this.zones.set(row.id, row);
        this.draw();
        toast(t("m_saved"));
        onDone();
      } catch (err) {
        toast((err as Error).message, "error");
      }
    };
    const editShape = (e: Event) => {
      const ring: Pt[] = geometry.type === "Polygon" ? geometry.coordinates[0].slice(0, -1) : geometry.coordinates[0][0].slice(0, -1);
      sketch.start("polygon", () => {}, (pts) => {
        if (pts.length >= 3) geometry = { type: "Polygon", coordinates: [[...pts, pts[0]]] };
        save();
      }, ring);
      // drag the corners (clicks add corners), then save the new shape
      (e.target as HTMLElement).replaceWith(h("button", { type: "button", class: "primary", "data-action": "finish-shape", onclick: () => sketch.finish() }, t("m_finish")));
    };
    const remove = async () => {
      if (!zone.id || !confirm(`${t("m_delete")} ${zone.name}?`)) return;
      await api(`/maritime/zones/${zone.id}`, { method: "DELETE" });
      this.zones.delete(zone.id);
      this.draw();
      onDone();
    };
    return h("form", { class: "mui-form", "data-zone-form": zone.id || "new", onsubmit: (e: Event) => { e.preventDefault(); save(); } },
      h("label", null, t("m_zone_name"), name),
      h("label", null, t("m_zone_kind"), kind),
      h("label", null, t("m_speed_limit"), speed),
      h("label", null, t("m_alert_on"), alertOn),
      h("label", null, t("m_colour"), colour),
      canEdit
        ? h("div", { class: "mui-row" },
            h("button", { type: "submit", class: "primary" }, t("save")),
            zone.id ? h("button", { type: "button", onclick: editShape }, t("m_edit_shape")) : null,
            zone.id ? h("button", { type: "button", onclick: remove }, t("m_delete")) : null)
        : h("p", { class: "muted small" }, t("m_read_only")),
    );
  }
}
