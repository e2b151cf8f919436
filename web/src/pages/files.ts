import { api, apiUrl } from "../api";
import { h, select } from "../dom";
import { fmtTime } from "../format";
import { t } from "../i18n";
import { subscribe } from "../live";
import { ready } from "../state";
import { pager, table } from "../components/table";

export default async function filesPage(root: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<() => void> {
  const state = { outcome: query.get("outcome") || "", station: query.get("station") || "", offset: 0 };
  const out = h("div");
  const exports = h("div", { class: "exports" });
  root.append(
    h("h1", null, t("files")),
    h("div", { class: "filters" },
      h("label", null, t("outcome"), select([["", t("all")], ...["accepted", "duplicate", "corrected", "rejected", "received"].map((o) => [o, t(o)] as [string, string])], state.outcome, (v) => { state.outcome = v; state.offset = 0; load(); })),
      h("label", null, t("station"), h("input", { value: state.station, onchange: (e: Event) => { state.station = (e.target as HTMLInputElement).value; state.offset = 0; load(); } })),
    ),
    exports, out,
  );
  async function load(): Promise<void> {
    const q = { outcome: state.outcome, station: state.station };
    exports.replaceChildren(h("a", { class: "button", href: apiUrl("/files", { ...q, format: "csv" }), download: "" }, t("export_csv")), h("a", { class: "button", href: apiUrl("/files", { ...q, format: "xlsx" }), download: "" }, t("export_xlsx")));
    const data = await api("/files", { query: { ...q, limit: 50, offset: state.offset } });
    out.replaceChildren(table([
      { label: t("received_at"), cell: (r: any) => fmtTime(r.received_at, 420, true), class: "nowrap" },
      { label: t("file_name"), cell: (r: any) => h("a", { href: apiUrl(`/files/${r.id}/content`), download: r.name }, r.name) },
      { label: t("station"), cell: (r: any) => r.station || "-" },
      { label: t("source"), cell: (r: any) => r.source },
      { label: t("outcome"), cell: (r: any) => h("span", { class: `pill outcome-${r.outcome}` }, t(r.outcome)) },
      { label: t("observations"), cell: (r: any) => r.observations, class: "num" },
      { label: t("reasons"), cell: (r: any) => r.reasons.filter((x: any) => x.severity !== "info" || r.outcome === "rejected").map((x: any) => `${x.line ? "L" + x.line + ": " : ""}${x.message}`).join("; ") },
    ], data.items, state.offset, { "data-table": "files" }), pager(data.total, data.limit, data.offset, (o) => { state.offset = o; load(); }));
    ready("files");
  }
  await load();
  let timer: number | undefined;
  const off = subscribe(["env.file"], () => { clearTimeout(timer); timer = window.setTimeout(() => state.offset === 0 && load(), 1500); });
  return () => { off(); clearTimeout(timer); };
}
