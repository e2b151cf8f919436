import { api, apiUrl } from "../api";
import { h } from "../dom";
import { fmtNum, fromLocalInput, toLocalInput } from "../format";
import { t } from "../i18n";
import { ready } from "../state";
import { pager } from "../components/table";

export default async function dataPage(root: HTMLElement): Promise<void> {
  const [stations, params] = await Promise.all([api("/stations", { query: { limit: 5000 } }), api("/parameters", { query: { used: true } })]);
  const end = Math.max(...stations.items.map((s: any) => s.last_obs_ts || 0), 0) || Math.floor(Date.now() / 1000);
  const stationSel = h("select", { multiple: true, size: 8, name: "station" }, stations.items.map((s: any, i: number) => h("option", { value: s.code, selected: i === 0 }, `${s.code} — ${s.name}`)));
  const paramSel = h("select", { multiple: true, size: 8, name: "parameter" }, params.items.map((p: any) => h("option", { value: p.code }, `${p.code} (${p.unit})`)));
  const from = h("input", { type: "datetime-local", value: toLocalInput(end - 86400) });
  const to = h("input", { type: "datetime-local", value: toLocalInput(end) });
  const resolution = h("select", null, ["auto", "raw", "hour", "day"].map((r) => h("option", { value: r }, t(r))));
  const long = h("input", { type: "checkbox" });
  const out = h("div");
  const exports = h("div", { class: "exports" });
  let offset = 0;
  const query = () => ({
    station: [...stationSel.selectedOptions].map((o) => o.value),
    parameter: [...paramSel.selectedOptions].map((o) => o.value),
    from: fromLocalInput(from.value),
    to: fromLocalInput(to.value),
    resolution: resolution.value,
  });
  async function run(): Promise<void> {
    const q = query();
    const data = await api("/observations", { query: { ...q, limit: 200, offset } });
    const rollup = data.resolution !== "raw";
    exports.replaceChildren(
      h("a", { class: "button", href: apiUrl("/observations", { ...q, format: "csv", layout: long.checked ? "long" : "wide" }), download: "" }, t("export_csv")),
      h("a", { class: "button", href: apiUrl("/observations", { ...q, format: "xlsx", layout: long.checked ? "long" : "wide" }), download: "" }, t("export_xlsx")),
    );
    out.replaceChildren(
      h("p", { class: "muted" }, `${t("resolution")}: ${t(data.resolution)}`),
      data.items.length ? h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-table": "lookup" },
        h("thead", null, h("tr", null, h("th", null, t("station")), h("th", null, t("datetime")), data.columns.map((c: any) => h("th", { class: "num" }, `${c.parameter} (${c.unit})`)))),
        h("tbody", null, data.items.map((r: any) => h("tr", null, h("td", null, r.station), h("td", { class: "nowrap" }, r.time.replace("T", " ").slice(0, 19)),
          data.columns.map((c: any) => {
            const v = r.values[c.parameter];
            if (!v) return h("td", { class: "num muted" }, "-");
            const cls = !rollup && (v.f === 4 || v.s === 2) ? "dev-err" : !rollup && v.f === 3 ? "suspect" : !rollup && v.s === 1 ? "calib" : "";
            return h("td", { class: `num ${cls}`, title: rollup ? `${t("min")} ${v.min} · ${t("max")} ${v.max} · n=${v.n}` : `status ${v.s} · QC ${v.f}` }, fmtNum(v.v));
          })))))) : h("p", { class: "empty" }, t("no_data")),
      pager(data.total, data.limit, data.offset, (o) => { offset = o; run(); }),
    );
    ready("data");
  }
  root.append(
    h("h1", null, t("lookup")),
    h("form", { class: "filters lookup", onsubmit: (e: Event) => { e.preventDefault(); offset = 0; run(); } },
      h("label", null, t("stations"), stationSel),
      h("label", null, t("parameters"), paramSel),
      h("div", { class: "stack" }, h("label", null, t("from"), from), h("label", null, t("to"), to), h("label", null, t("resolution"), resolution),
        h("label", { class: "inline" }, long, " ", t("layout_long")), h("button", { type: "submit", class: "primary" }, t("run")))),
    exports,
    out,
  );
  await run();
}
