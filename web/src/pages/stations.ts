import { api } from "../api";
import { h, icon, select } from "../dom";
import { COMPONENTS, COMPONENT_ABBR, STATUS_COLOURS, fmtTime } from "../format";
import { t } from "../i18n";
import { navigate, ready } from "../state";
import { pager, table } from "../components/table";

export function statusDot(status: string | null | undefined): HTMLElement {
  const s = status || "unknown";
  return h("span", { class: "dot", style: `background:${STATUS_COLOURS[s] || STATUS_COLOURS.unknown}`, title: t(s), "aria-label": t(s) });
}

export function stationLabel(s: any): string {
  return `${s.province_name}: ${s.name} (${COMPONENT_ABBR[s.component] || ""})`;
}

export default async function stations(root: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<void> {
  const provinces = await api("/provinces");
  const state = {
    component: query.get("component") || "",
    province: query.get("province") || "",
    status: query.get("status") || "",
    q: query.get("q") || "",
    offset: 0,
  };
  const body = h("div");
  const go = () => {
    const q = new URLSearchParams(Object.entries(state).filter(([k, v]) => v && k !== "offset") as [string, string][]);
    navigate(`/stations${q.toString() ? "?" + q : ""}`);
  };
  root.append(
    h("h1", null, t("stations"), state.status ? ` — ${t(state.status)}` : ""),
    h("div", { class: "filters" },
      h("label", null, t("component"), select([["", t("all")], ...COMPONENTS.map((c) => [c, t(c)] as [string, string])], state.component, (v) => { state.component = v; go(); })),
      h("label", null, t("province"), select([["", t("all")], ...provinces.items.map((p: any) => [p.code, p.name] as [string, string])], state.province, (v) => { state.province = v; go(); })),
      h("label", null, t("status"), select([["", t("all")], ...["disconnected", "connected", "good", "exceeding", "device_error", "calibrating"].map((s) => [s, t(s)] as [string, string])], state.status, (v) => { state.status = v; go(); })),
      h("label", null, t("search"), h("input", { type: "search", value: state.q, onchange: (e: Event) => { state.q = (e.target as HTMLInputElement).value; go(); } })),
    ),
    body,
  );
  async function load(): Promise<void> {
    const data = await api("/stations", { query: { component: state.component, province: state.province, status: state.status, q: state.q, limit: 100, offset: state.offset } });
    body.replaceChildren(
      table(
        [
          { label: "#", cell: (_r, i) => i + 1, class: "num" },
          { label: t("status"), cell: (r: any) => statusDot(r.status) },
          { label: t("code"), cell: (r: any) => h("a", { href: `/stations/${encodeURIComponent(r.code)}` }, r.code) },
          { label: t("station_name"), cell: (r: any) => stationLabel(r) },
          { label: t("component"), cell: (r: any) => t(r.component) },
          { label: t("last_data"), cell: (r: any) => fmtTime(r.last_obs_ts, r.utc_offset_min) },
          { label: t("quick_view"), cell: (r: any) => h("span", { class: "quick" },
              h("a", { href: `/stations/${encodeURIComponent(r.code)}`, title: t("details") }, icon("details")),
              h("a", { href: `/map?station=${encodeURIComponent(r.code)}`, title: t("locate") }, icon("pin"))) },
        ],
        data.items,
        state.offset,
        { "data-table": "stations" },
      ),
      pager(data.total, data.limit, data.offset, (o) => { state.offset = o; load(); }),
    );
    ready("stations");
  }
  await load();
}
