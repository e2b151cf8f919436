// Distance and area measurement on the WGS84 ellipsoid (geodesy.ts), shown in m, km and NM.
import { h } from "../../dom";
import { t } from "../../i18n";
import { fmtArea, fmtDistance, inverse, pathLength, ringArea } from "./geodesy";
import type { Pt, Sketch } from "./sketch";

export function startMeasure(sketch: Sketch, kind: "line" | "polygon", out: HTMLElement, done: () => void): void {
  const show = (pts: Pt[]) => {
    const rows: (HTMLElement | string)[] = [];
    for (let i = 1; i < pts.length; i++) {
      const g = inverse(pts[i - 1][1], pts[i - 1][0], pts[i][1], pts[i][0]);
      rows.push(h("div", { class: "small" }, `${i}. ${fmtDistance(g.m)} · ${t("m_bearing")} ${g.az1.toFixed(1)}°`));
    }
    const total = pathLength(pts);
    out.replaceChildren(
      h("strong", null, kind === "line" ? t("m_distance") : t("m_area")),
      h("div", { class: "muted small" }, t("m_click_points")),
      ...rows,
    );
    if (kind === "line" && pts.length >= 2) {
      out.append(h("div", { class: "mui-measure-total", "data-m": String(total) }, `${t("m_total")}: ${fmtDistance(total)}`));
    }
    if (kind === "polygon" && pts.length >= 3) {
      const perimeter = total + inverse(pts[pts.length - 1][1], pts[pts.length - 1][0], pts[0][1], pts[0][0]).m;
      const area = ringArea(pts);
      out.append(
        h("div", { class: "mui-measure-total", "data-m2": String(area) }, `${t("m_area")}: ${fmtArea(area)}`),
        h("div", { class: "small" }, `${t("m_perimeter")}: ${fmtDistance(perimeter)}`),
      );
    }
    out.append(h("div", null, h("button", { onclick: () => sketch.finish(), "data-action": "finish" }, t("m_finish")), " ", h("button", { onclick: () => { sketch.stop(); out.hidden = true; done(); } }, t("m_clear"))));
    out.hidden = false;
  };
  sketch.start(kind, show, (pts) => {
    // keep the result on screen after finishing; the sketch is gone
    show(pts);
    out.querySelector("[data-action=finish]")?.remove();
    done();
  });
  show([]);
}
