// ECharts with only the parts we use (gauge, bar, line), so the bundle stays small.
import { BarChart, GaugeChart, LineChart } from "echarts/charts";
import { GridComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([GaugeChart, BarChart, LineChart, GridComponent, TooltipComponent, MarkLineComponent, CanvasRenderer]);

export { echarts };

export interface Category {
  min: number;
  max: number;
  vi: string;
  en: string;
  colour: string;
  advice_vi?: string;
  advice_en?: string;
}

export function categoryOf(aqi: number | null | undefined, categories: Category[]): Category | undefined {
  if (aqi === null || aqi === undefined) return undefined;
  return categories.find((c) => aqi >= c.min && aqi <= c.max) || categories[categories.length - 1];
}

export function gauge(el: HTMLElement, aqi: number | null, categories: Category[], small = false): echarts.ECharts {
  const chart = echarts.init(el, undefined, { renderer: "canvas" });
  const max = 500;
  const stops = categories.map((c) => [Math.min(c.max, max) / max, c.colour] as [number, string]);
  chart.setOption({
    animation: false,
    series: [
      {
        type: "gauge",
        min: 0,
        max,
        startAngle: 210,
        endAngle: -30,
        splitNumber: small ? 5 : 10,
        radius: "95%",
        axisLine: { lineStyle: { width: small ? 8 : 16, color: stops } },
        pointer: { width: small ? 3 : 6, length: "60%" },
        axisTick: { show: !small },
        splitLine: { length: small ? 6 : 12 },
        axisLabel: { show: !small, distance: 22, fontSize: 10 },
        detail: { valueAnimation: false, fontSize: small ? 16 : 32, offsetCenter: [0, "55%"], formatter: (v: number) => (aqi === null ? "-" : String(Math.round(v))) },
        data: [{ value: aqi ?? 0 }],
      },
    ],
  });
  return chart;
}
