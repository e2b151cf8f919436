// Time-series chart on uPlot: zoom by dragging (the page reloads finer data for the new range),
// QC flags as coloured points, min–max band for rollups, limit lines.
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface Series {
  parameter: string;
  unit: string;
  t: number[];
  value: (number | null)[];
  min?: (number | null)[];
  max?: (number | null)[];
  flag?: number[];
  status?: number[];
}

export interface LimitLine {
  parameter: string;
  value: number;
  label: string;
}

const PALETTE = ["#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#17becf", "#bcbd22", "#e377c2", "#7f7f7f"];
const FLAG_COLOURS: Record<number, string> = { 3: "#f2b701", 4: "#d62728" };

/** Merge per-parameter series onto one time axis (uPlot wants aligned columns). */
function align(series: Series[]): { xs: number[]; cols: (number | null)[][]; lo: (number | null)[][]; hi: (number | null)[][]; flags: (number | null)[][] } {
  const xs = Array.from(new Set(series.flatMap((s) => s.t))).sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const blank = () => new Array<number | null>(xs.length).fill(null);
  const cols: (number | null)[][] = [];
  const lo: (number | null)[][] = [];
  const hi: (number | null)[][] = [];
  const flags: (number | null)[][] = [];
  for (const s of series) {
    const c = blank(), l = blank(), u = blank(), f = blank();
    s.t.forEach((x, i) => {
      const j = index.get(x)!;
      c[j] = s.value[i];
      if (s.min) l[j] = s.min[i];
      if (s.max) u[j] = s.max[i];
      if (s.flag) f[j] = s.status && s.status[i] !== 0 ? 4 : s.flag[i];
    });
    cols.push(c);
    lo.push(l);
    hi.push(u);
    flags.push(f);
  }
  return { xs, cols, lo, hi, flags };
}

export function drawChart(
  container: HTMLElement,
  series: Series[],
  limits: LimitLine[],
  onZoom: (from: number, to: number) => void,
  offsetMin = 420,
): uPlot {
  const { xs, cols, lo, hi, flags } = align(series);
  const data: (number | null)[][] = [xs];
  const opts: uPlot.Options = {
    width: Math.max(container.clientWidth, 320),
    height: 340,
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), offsetMin === 420 ? "Asia/Ho_Chi_Minh" : "UTC"),
    cursor: { drag: { x: true, y: false } },
    legend: { live: true },
    scales: { x: { time: true } },
    axes: [{}, { size: 60 }],
    series: [{}],
    bands: [],
    hooks: {
      setSelect: [
        (u) => {
          if (u.select.width > 5) {
            const from = Math.floor(u.posToVal(u.select.left, "x"));
            const to = Math.ceil(u.posToVal(u.select.left + u.select.width, "x"));
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            onZoom(from, to);
          }
        },
      ],
    },
  };
  series.forEach((s, i) => {
    const colour = PALETTE[i % PALETTE.length];
    const hasBand = s.min && s.max;
    if (hasBand) {
      data.push(lo[i], hi[i]);
      const loIdx = data.length - 2, hiIdx = data.length - 1;
      opts.series.push(
        { label: `${s.parameter} min`, stroke: colour + "55", width: 1, show: true },
        { label: `${s.parameter} max`, stroke: colour + "55", width: 1, show: true },
      );
      opts.bands!.push({ series: [hiIdx, loIdx], fill: colour + "22" });
    }
    data.push(cols[i]);
    const f = flags[i];
    opts.series.push({
      label: `${s.parameter}${s.unit ? " (" + s.unit + ")" : ""}`,
      stroke: colour,
      width: 1.6,
      spanGaps: false,
      points: {
        show: (_u: uPlot, _si: number, i0: number, i1: number) => i1 - i0 < 400,
        size: 4,
        fill: (_u: uPlot, _si: number) => colour,
      } as any,
    });
    if (f.some((x) => x === 3 || x === 4)) {
      const flagged = cols[i].map((v, j) => (f[j] === 3 || f[j] === 4 ? v : null));
      data.push(flagged);
      opts.series.push({
        label: `${s.parameter} QC`,
        stroke: "transparent",
        paths: () => null,
        points: { show: true, size: 8, fill: FLAG_COLOURS[4], stroke: FLAG_COLOURS[3] } as any,
      });
    }
  });
  for (const limit of limits) {
    data.push(xs.map(() => limit.value));
    opts.series.push({ label: limit.label, stroke: "#d62728", dash: [6, 4], width: 1.2, points: { show: false } });
  }
  const plot = new uPlot(opts, data as uPlot.AlignedData, container);
  const resize = () => plot.setSize({ width: Math.max(container.clientWidth, 320), height: 340 });
  window.addEventListener("resize", resize);
  return plot;
}
