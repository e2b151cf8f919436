import { api } from "../api";
import { h } from "../dom";
import { COMPONENTS, STATUS_COLOURS, fmtTime } from "../format";
import { t } from "../i18n";
import { subscribe } from "../live";
import { feature, isEnv, ready, session } from "../state";

const KEYS = ["total", "disconnected", "connected", "good", "exceeding", "device_error", "calibrating"] as const;

function statusLink(key: string, n: number | null, component?: string): HTMLElement {
  const q = new URLSearchParams();
  if (key !== "total") q.set("status", key);
  if (component) q.set("component", component);
  return h("a", { href: `/stations${q.toString() ? "?" + q : ""}`, class: `count count-${key}`, "data-count": key }, n === null ? "-" : String(n));
}

export default async function home(root: HTMLElement): Promise<() => void> {
  if (!isEnv()) {
    root.append(h("h1", null, t("home")), h("p", null, t("maritime_only")), h("p", null, h("a", { href: "/maritime", class: "button" }, t("maritime_chart") + " →")));
    ready("home");
    return () => {};
  }
  const cards = h("section", { class: "cards" });
  const sentence = h("p", { class: "summary-line" });
  const byComponent = h("section", { class: "panel" });
  const recent = h("section", { class: "panel" });
  root.append(h("h1", null, t("app_title")), h("h2", null, t("summary")), sentence, cards, byComponent, recent);

  async function draw(): Promise<void> {
    let summary: Record<string, number> | null = null;
    let components: Record<string, Record<string, number>> = {};
    let openAlerts: number | null = null;
    if (feature("status")) {
      const data = await api("/status/summary");
      summary = data.summary;
      components = data.by_component;
      openAlerts = data.open_alerts;
    } else {
      const provinces = await api("/provinces");
      const total = provinces.items.reduce((a: number, p: any) => a + p.stations, 0);
      summary = { total };
      for (const p of provinces.items) for (const [c, n] of Object.entries(p.by_component)) (components[c] ||= { total: 0 }).total += n as number;
    }
    const n = (k: string) => (summary && k in summary ? summary[k] : null);
    sentence.replaceChildren(
      `${t("total")}: `, statusLink("total", n("total")),
      `, ${t("disconnected")}: `, statusLink("disconnected", n("disconnected")),
      `, ${t("connected")}: `, statusLink("connected", n("connected")),
      ` (${t("good")}: `, statusLink("good", n("good")),
      `, ${t("exceeding")}: `, statusLink("exceeding", n("exceeding")),
      `, ${t("device_error")}: `, statusLink("device_error", n("device_error")),
      `, ${t("calibrating")}: `, statusLink("calibrating", n("calibrating")), ")",
    );
    cards.replaceChildren(
      ...KEYS.map((k) =>
        h("a", { class: `card card-${k}`, href: k === "total" ? "/stations" : `/stations?status=${k}`, style: `--accent:${STATUS_COLOURS[k] || "#0b5394"}` },
          h("span", { class: "card-n", "data-card": k }, n(k) === null ? "-" : String(n(k))),
          h("span", { class: "card-label" }, t(k))),
      ),
      h("a", { class: "card card-alerts", href: "/alerts?state=open", style: "--accent:#d62728" },
        h("span", { class: "card-n", "data-card": "open_alerts" }, openAlerts === null ? "-" : String(openAlerts)),
        h("span", { class: "card-label" }, t("open_alerts"))),
    );
    if (!feature("status")) cards.append(h("p", { class: "note" }, t("needs_quality")));
    byComponent.replaceChildren(
      h("h3", null, t("by_component")),
      h("div", { class: "table-wrap" }, h("table", { class: "grid" },
        h("thead", null, h("tr", null, h("th", null, t("component")), KEYS.map((k) => h("th", null, t(k))))),
        h("tbody", null, COMPONENTS.filter((c) => components[c]).map((c) =>
          h("tr", null, h("td", null, h("a", { href: `/monitoring/${c}` }, t(c))),
            KEYS.map((k) => h("td", { class: "num" }, statusLink(k, components[c]?.[k] ?? null, c)))))))),
    );
    const files = await api("/files", { query: { limit: 8 } });
    recent.replaceChildren(
      h("h3", null, t("recent_files")),
      h("ul", { class: "feed" }, files.items.map((f: any) =>
        h("li", null, h("span", { class: `pill outcome-${f.outcome}` }, t(f.outcome)), " ", fmtTime(f.received_at, 420, true), " · ", f.station || "-", " · ", h("code", null, f.name)))),
      h("a", { href: "/files" }, t("files") + " →"),
    );
    ready("home");
  }
  await draw();
  let timer: number | undefined;
  const off = subscribe(["env.file", "env.status", "alert"], () => {
    clearTimeout(timer);
    timer = window.setTimeout(draw, 2000);
  });
  const poll = window.setInterval(draw, 60000);
  void session;
  return () => {
    off();
    clearInterval(poll);
    clearTimeout(timer);
  };
}
