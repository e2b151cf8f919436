// The public AQI page (no login, /public) and the same view for logged-in users (/aqi):
// map in AQI colours, a gauge per station, hourly VN_AQI bars per pollutant, the 24-hour table.
import { api, apiUrl } from "../api";
import { h } from "../dom";
import { fmtIso } from "../format";
import { lang, pick, setLang, t } from "../i18n";
import { subscribe } from "../live";
import { ready, session } from "../state";
import { createMap, maplibregl } from "../components/basemap";
import { type Category, categoryOf, echarts, gauge } from "../components/echarts";

const POLLUTANTS = ["CO", "NO2", "O3", "PM10", "PM2.5", "SO2"];

export default async function aqiPage(root: HTMLElement): Promise<() => void> {
  const isPublic = location.pathname === "/public";
  const health = await api("/health");
  root.classList.add("aqi-page");
  root.append(
    h("header", { class: "public-head" },
      h("img", { src: "/icon.svg", alt: "", width: 32, height: 32 }),
      h("h1", null, t("public_title"), " — VN_AQI"),
      h("span", { class: "spacer" }),
      isPublic ? h("button", { class: "link-btn", onclick: () => { setLang(lang() === "vi" ? "en" : "vi"); location.reload(); } }, t("language")) : "",
      isPublic ? h("a", { href: session.me?.authenticated ? "/" : "/login" }, session.me?.authenticated ? t("home") : t("login")) : ""),
  );
  if (!health.features.aqi) {
    root.append(h("p", { class: "note" }, t("no_aqi")), h("p", { class: "muted" }, t("needs_quality")));
    ready("aqi");
    return () => {};
  }
  const base = isPublic ? "/public" : "";
  const [cats, latest] = await Promise.all([api(`${base === "/public" ? "/public/categories" : "/aqi/categories"}`), api(isPublic ? "/public/aqi" : "/aqi/latest")]);
  const categories: Category[] = cats.items;
  const items: any[] = latest.items.map((i: any) => ({ ...i, code: i.code || i.station }));
  const legend = h("div", { class: "aqi-legend" }, categories.map((c) => h("span", { style: `background:${c.colour};color:${c.max > 150 ? "#fff" : "#222"}` }, `${c.min}–${c.max} ${pick(c.vi, c.en)}`)));
  const gauges = h("div", { class: "gauges" });
  const mapBox = h("div", { class: "map small", id: "aqi-map" });
  const detail = h("section", { class: "panel aqi-detail" });
  root.append(legend, h("div", { class: "aqi-grid" }, detail, mapBox), h("h3", null, "VN_AQI"), gauges);
  if (!items.length) {
    detail.append(h("p", { class: "note" }, t("no_aqi")));
  }
  const charts: echarts.ECharts[] = [];
  gauges.replaceChildren(...items.map((i) => {
    const box = h("div", { class: "gauge-box" });
    const card = h("button", { class: "gauge-card", onclick: () => show(i.code) }, box, h("strong", null, i.name), h("span", { class: "muted small" }, fmtIso(i.time)), h("span", null, pick(i.category, i.category_en)));
    requestAnimationFrame(() => charts.push(gauge(box, i.aqi, categories, true)));
    return card;
  }));
  const map = await createMap(mapBox, { zoom: 4.3 });
  map.addSource("aqi", { type: "geojson", data: { type: "FeatureCollection", features: items.filter((i) => i.lat !== null).map((i) => ({ type: "Feature", properties: { code: i.code, colour: i.colour || "#ccc", label: String(i.aqi ?? "-") }, geometry: { type: "Point", coordinates: [i.lon, i.lat] } })) } as any });
  map.addLayer({ id: "aqi", type: "circle", source: "aqi", paint: { "circle-radius": 13, "circle-color": ["get", "colour"], "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
  map.addLayer({ id: "aqi-label", type: "symbol", source: "aqi", layout: { "text-field": ["get", "label"], "text-font": ["sans-serif"], "text-size": 11, "text-allow-overlap": true } });
  map.on("click", "aqi", (e: any) => { const code = e.features?.[0]?.properties?.code; if (code) show(String(code)); });

  async function show(code: string): Promise<void> {
    const station = items.find((i) => i.code === code);
    const data = isPublic
      ? await api(`/public/aqi/${encodeURIComponent(code)}`)
      : { hourly: (await api("/aqi/hourly", { query: { station: code } })).items.sort((a: any, b: any) => (a.time < b.time ? 1 : -1)).slice(0, 24) };
    const hourly: any[] = data.hourly;
    const cat = categoryOf(station?.aqi, categories);
    const gaugeBox = h("div", { class: "gauge-big" });
    const barsBox = h("div", { class: "bars" });
    const exportHref = isPublic ? apiUrl(`/public/aqi/${encodeURIComponent(code)}`, { format: "csv" }) : apiUrl("/aqi/hourly", { station: code, format: "csv" });
    const exportXlsx = isPublic ? apiUrl(`/public/aqi/${encodeURIComponent(code)}`, { format: "xlsx" }) : apiUrl("/aqi/hourly", { station: code, format: "xlsx" });
    detail.replaceChildren(
      h("h2", null, station?.name || code),
      gaugeBox,
      h("p", { class: "advice", style: `border-color:${cat?.colour || "#ccc"}` }, cat ? pick(cat.advice_vi, cat.advice_en) || pick(cat.vi, cat.en) : "-"),
      h("h3", null, t("aqi_hourly_bars")), barsBox,
      h("div", { class: "row-between" }, h("h3", null, t("aqi_24h")), h("span", null, h("a", { class: "button", href: exportHref, download: "" }, t("export_data") + " CSV"), " ", h("a", { class: "button", href: exportXlsx, download: "" }, "Excel"))),
      h("div", { class: "table-wrap" }, h("table", { class: "grid", "data-table": "aqi-24h" },
        h("thead", null, h("tr", null, h("th", null, "#"), h("th", null, t("datetime")), h("th", null, t("aqi_hour")), POLLUTANTS.map((p) => h("th", null, p)))),
        h("tbody", null, hourly.map((r, i) => h("tr", null, h("td", null, i + 1), h("td", { class: "nowrap" }, fmtIso(r.time)),
          h("td", null, h("span", { class: "aqi-pill", style: `background:${categoryOf(r.aqi, categories)?.colour || "#ccc"}` }, r.aqi ?? "-")),
          POLLUTANTS.map((p) => h("td", { class: "num" }, r.sub_indices?.[p] ?? "-"))))))),
    );
    charts.push(gauge(gaugeBox, station?.aqi ?? null, categories));
    const sub = station?.sub_indices || hourly[0]?.sub_indices || {};
    const bars = echarts.init(barsBox);
    bars.setOption({
      animation: false,
      grid: { left: 40, right: 10, top: 10, bottom: 30 },
      xAxis: { type: "category", data: POLLUTANTS },
      yAxis: { type: "value", min: 0 },
      tooltip: {},
      series: [{ type: "bar", data: POLLUTANTS.map((p) => ({ value: sub[p] ?? null, itemStyle: { color: categoryOf(sub[p], categories)?.colour || "#ccc" } })) }],
    });
    charts.push(bars);
    ready("aqi");
  }
  if (items.length) await show(items[0].code);
  else ready("aqi");
  const off = subscribe(["public.aqi", "env.observations"], () => {});
  void maplibregl;
  return () => { off(); charts.forEach((c) => c.dispose()); map.remove(); };
}
