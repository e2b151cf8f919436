import { api, apiUrl } from "../api";
import { h, select, toast } from "../dom";
import { fmtIso, fmtNum } from "../format";
import { t } from "../i18n";
import { subscribe } from "../live";
import { feature, ready, session } from "../state";
import { pager, table } from "../components/table";

export default async function alertsPage(root: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<() => void> {
  root.append(h("h1", null, t("alerts")));
  if (!feature("alerts")) {
    root.append(h("p", { class: "note" }, t("needs_quality")));
    ready("alerts");
    return () => {};
  }
  const state = { state: query.get("state") || "", rule: "", station: query.get("station") || "", offset: 0 };
  const out = h("div");
  const exports = h("div", { class: "exports" });
  root.append(
    h("div", { class: "filters" },
      h("label", null, t("state"), select([["", t("all")], ["open", t("open")], ["acknowledged", t("acknowledged")], ["resolved", t("resolved")]], state.state, (v) => { state.state = v; state.offset = 0; load(); })),
      h("label", null, t("rule"), h("input", { value: state.rule, onchange: (e: Event) => { state.rule = (e.target as HTMLInputElement).value; load(); } })),
      h("label", null, t("station"), h("input", { value: state.station, onchange: (e: Event) => { state.station = (e.target as HTMLInputElement).value; load(); } })),
    ),
    exports, out,
  );
  async function act(id: number, action: "acknowledge" | "resolve"): Promise<void> {
    const note = prompt(t("note")) ?? "";
    await api(`/alerts/${id}/${action}`, { method: "POST", body: { note } });
    toast(t(action === "acknowledge" ? "acknowledged" : "resolved"));
    load();
  }
  async function load(): Promise<void> {
    const q = { state: state.state, rule: state.rule, station: state.station };
    exports.replaceChildren(h("a", { class: "button", href: apiUrl("/alerts", { ...q, format: "csv" }), download: "" }, t("export_csv")), h("a", { class: "button", href: apiUrl("/alerts", { ...q, format: "xlsx" }), download: "" }, t("export_xlsx")));
    const data = await api("/alerts", { query: { ...q, limit: 100, offset: state.offset } });
    out.replaceChildren(table([
      { label: t("last_at"), cell: (r: any) => fmtIso(r.last_at) },
      { label: t("station"), cell: (r: any) => r.asset_kind === "station" ? h("a", { href: `/stations/${encodeURIComponent(r.asset_id)}` }, r.asset_id) : r.asset_id },
      { label: t("parameter"), cell: (r: any) => r.parameter || "-" },
      { label: t("rule"), cell: (r: any) => r.rule },
      { label: t("severity"), cell: (r: any) => h("span", { class: `pill sev-${r.severity}` }, r.severity) },
      { label: t("state"), cell: (r: any) => h("span", { class: `pill state-${r.state}` }, t(r.state)) },
      { label: t("message"), cell: (r: any) => r.message },
      { label: `${t("value")} / ${t("limit")}`, cell: (r: any) => `${fmtNum(r.value)} / ${fmtNum(r.limit_value)}`, class: "num" },
      { label: t("occurrences"), cell: (r: any) => r.occurrences, class: "num" },
      { label: "", cell: (r: any) => r.state === "resolved" ? "" : h("span", { class: "nowrap" },
          r.state === "open" ? h("button", { onclick: () => act(r.id, "acknowledge") }, t("acknowledge")) : "",
          session.me?.role !== "enterprise" ? h("button", { onclick: () => act(r.id, "resolve") }, t("resolve")) : "") },
    ], data.items, state.offset, { "data-table": "alerts" }), pager(data.total, data.limit, data.offset, (o) => { state.offset = o; load(); }));
    ready("alerts");
  }
  await load();
  return subscribe(["alert"], () => load());
}
