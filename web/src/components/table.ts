// A table with a header, rows and a pager showing "rows x–y of total".
import { h } from "../dom";
import { t } from "../i18n";

export interface Column<T> {
  label: string;
  cell: (row: T, index: number) => Node | string | number | null;
  class?: string;
}

export function table<T>(columns: Column<T>[], rows: T[], offset = 0, attrs: Record<string, unknown> = {}): HTMLElement {
  if (!rows.length) return h("p", { class: "empty" }, t("no_data"));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      { class: "grid", ...attrs },
      h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.class }, c.label)))),
      h(
        "tbody",
        null,
        rows.map((row, i) => h("tr", null, columns.map((c) => h("td", { class: c.class }, c.cell(row, offset + i) ?? "")))),
      ),
    ),
  );
}

export function pager(total: number, limit: number, offset: number, go: (offset: number) => void): HTMLElement {
  const last = Math.min(offset + limit, total);
  return h(
    "div",
    { class: "pager" },
    h("button", { disabled: offset <= 0, onclick: () => go(Math.max(0, offset - limit)) }, "‹ " + t("previous")),
    h("span", { class: "pager-info" }, total ? `${offset + 1}–${last} / ${total.toLocaleString()} ${t("rows")}` : t("no_data")),
    h("button", { disabled: last >= total, onclick: () => go(offset + limit) }, t("next") + " ›"),
  );
}
