// Vessel groups: create, colour, show/hide, add and remove members. Members of visible groups
// get a ring in the group's colour on the chart.
import { api } from "../../api";
import { h, toast } from "../../dom";
import { t } from "../../i18n";

export interface Group {
  id: number;
  name: string;
  color: string;
  visible: boolean;
  members?: number[];
  [key: string]: unknown;
}

export class Groups {
  items: Group[] = [];
  members = new Map<number, number[]>();
  constructor(private changed: (colours: Map<number, string>) => void) {}

  async load(): Promise<void> {
    this.items = (await api("/maritime/groups")).items;
    await Promise.all(this.items.map(async (g) => this.members.set(g.id, (await api(`/maritime/groups/${g.id}`)).members || [])));
    this.apply();
  }

  apply(): void {
    const colours = new Map<number, string>();
    for (const g of this.items) if (g.visible) for (const m of this.members.get(g.id) || []) colours.set(m, g.color);
    this.changed(colours);
  }

  panel(canEdit: boolean, open: (mmsi: number) => void): HTMLElement {
    const box = h("div", { class: "mui-form", "data-panel": "groups" });
    const redraw = () => box.replaceChildren(...this.render(canEdit, open, redraw));
    redraw();
    return box;
  }

  private async call(fn: () => Promise<unknown>, redraw: () => void): Promise<void> {
    try {
      await fn();
      await this.load();
      redraw();
    } catch (err) {
      toast((err as Error).message, "error");
    }
  }

  private render(canEdit: boolean, open: (mmsi: number) => void, redraw: () => void): HTMLElement[] {
    const name = h("input", { name: "group-name", placeholder: t("m_new_group") });
    const colour = h("input", { name: "group-colour", type: "color", value: "#1f77b4" });
    const create = h("form", { class: "mui-row", onsubmit: (e: Event) => { e.preventDefault(); if (name.value.trim()) this.call(() => api("/maritime/groups", { method: "POST", body: { name: name.value.trim(), color: colour.value } }), redraw); } },
      name, colour, h("button", { type: "submit" }, t("add")));
    const list = this.items.map((g) => {
      const add = h("input", { placeholder: t("m_add_vessel"), size: 12, "data-add-member": g.id });
      const members = this.members.get(g.id) || [];
      return h("details", { class: "mui-group", "data-group-id": g.id },
        h("summary", null, h("span", { class: "dot", style: `background:${g.color}` }), ` ${g.name} (${members.length})`),
        h("div", { class: "mui-row" },
          h("label", { class: "inline" }, h("input", { type: "checkbox", checked: g.visible, disabled: !canEdit, onchange: (e: Event) => this.call(() => api(`/maritime/groups/${g.id}`, { method: "PATCH", body: { visible: (e.target as HTMLInputElement).checked } }), redraw) }), " 👁"),
          h("input", { type: "color", value: g.color, disabled: !canEdit, onchange: (e: Event) => this.call(() => api(`/maritime/groups/${g.id}`, { method: "PATCH", body: { color: (e.target as HTMLInputElement).value } }), redraw) }),
          canEdit ? h("button", { type: "button", onclick: () => confirm(`${t("m_delete")} ${g.name}?`) && this.call(() => api(`/maritime/groups/${g.id}`, { method: "DELETE" }), redraw) }, t("m_delete")) : null),
        h("ul", { class: "mui-list" }, members.map((m) => h("li", null,
          h("button", { type: "button", class: "link-btn", onclick: (e: Event) => { e.preventDefault(); open(m); } }, String(m)), " ",
          canEdit ? h("button", { class: "link-btn", type: "button", onclick: () => this.call(() => api(`/maritime/groups/${g.id}/members/${m}`, { method: "DELETE" }), redraw) }, t("m_remove")) : null))),
        canEdit ? h("form", { class: "mui-row", onsubmit: (e: Event) => {
          e.preventDefault();
          const mmsi = add.value.split(/[\s,;]+/).map(Number).filter((n) => n > 0);
          if (mmsi.length) this.call(() => api(`/maritime/groups/${g.id}/members`, { method: "POST", body: { mmsi } }), redraw);
        } }, add, h("button", { type: "submit" }, t("add"))) : null);
    });
    return [h("h3", null, t("m_groups")), ...(canEdit ? [create] : []), ...list];
  }
}
