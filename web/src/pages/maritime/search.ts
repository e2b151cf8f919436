// Vessel search and filter (name, MMSI, call sign, flag, type, size, group, time window): the
// result list, and optionally the chart showing only the vessels found.
import { api } from "../../api";
import { h, select, toast } from "../../dom";
import { fromLocalInput } from "../../format";
import { t } from "../../i18n";

const CATEGORIES = ["cargo", "tanker", "passenger", "fishing", "tug", "hsc", "pleasure", "special", "sar", "other"];

export function searchPanel(
  groups: { id: number; name: string }[],
  categories: string[],
  onResult: (mmsis: Set<number> | null) => void,
  open: (mmsi: number) => void,
): HTMLElement {
  const q = h("input", { name: "q", placeholder: t("m_query") });
  const flag = h("input", { name: "flag", size: 4, placeholder: "VN" });
  const cats = categories.length ? categories : CATEGORIES;
  const cat = select([["", t("all")], ...cats.map((c) => [c, c] as [string, string])], "", () => {}, { name: "category" });
  const minLen = h("input", { name: "min_length", type: "number", min: 0 });
  const maxLen = h("input", { name: "max_length", type: "number", min: 0 });
  const group = select([["", t("all")], ...groups.map((g) => [String(g.id), g.name] as [string, string])], "", () => {}, { name: "group" });
  const from = h("input", { name: "from", type: "datetime-local" });
  const to = h("input", { name: "to", type: "datetime-local" });
  const only = h("input", { type: "checkbox", name: "only" });
  const out = h("div", { class: "mui-results" });
  const run = async () => {
    const query = {
      q: q.value.trim(), flag: flag.value.trim().toUpperCase(), category: cat.value, min_length: minLen.value, max_length: maxLen.value,
      group: group.value, from: fromLocalInput(from.value) ?? "", to: fromLocalInput(to.value) ?? "", limit: 500,
    };
    try {
      const data = await api("/maritime/vessels", { query });
      onResult(only.checked ? new Set((data.items as any[]).map((v) => v.mmsi)) : null);
      out.replaceChildren(
        h("p", { class: "small muted", "data-results": data.total }, `${data.total} ${t("m_results")}`),
        h("ul", { class: "mui-list" }, (data.items as any[]).map((v) =>
          h("li", null, h("button", { type: "button", class: "link-btn", "data-mmsi": v.mmsi, onclick: (e: Event) => { e.preventDefault(); open(v.mmsi); } }, `${v.name || "-"} · ${v.mmsi}`), h("span", { class: "muted small" }, ` ${v.flag || ""} ${v.ship_type_text || ""} ${v.length ? v.length + " m" : ""}`)))),
      );
    } catch (err) {
      toast((err as Error).message, "error");
    }
  };
  return h("form", { class: "mui-form", "data-panel": "search", onsubmit: (e: Event) => { e.preventDefault(); run(); } },
    h("h3", null, t("m_search")),
    h("label", null, t("m_query"), q),
    h("div", { class: "mui-row" }, h("label", null, t("m_flag"), flag), h("label", null, t("m_type"), cat)),
    h("div", { class: "mui-row" }, h("label", null, t("m_min_len"), minLen), h("label", null, t("m_max_len"), maxLen)),
    h("label", null, t("m_group"), group),
    h("label", null, t("m_heard_from"), from),
    h("label", null, t("m_heard_to"), to),
    h("label", { class: "inline" }, only, " ", t("m_only_matches")),
    h("div", { class: "mui-row" }, h("button", { type: "submit", class: "primary" }, t("search")), h("button", { type: "button", onclick: () => { onResult(null); out.replaceChildren(); } }, t("m_clear"))),
    out);
}
