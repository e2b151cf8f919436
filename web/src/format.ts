// Display formats as Vietnamese users read them: "11:00 25/11/2020", decimal point, units.
import { lang } from "./i18n";

const pad = (n: number) => String(n).padStart(2, "0");

/** Local time of the station (UTC+7 by default) as HH:mm dd/MM/yyyy. */
export function fmtTime(ts: number | null | undefined, offsetMin = 420, seconds = false): string {
  if (ts === null || ts === undefined) return "-";
  const d = new Date((ts + offsetMin * 60) * 1000);
  const hm = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}${seconds ? ":" + pad(d.getUTCSeconds()) : ""}`;
  return `${hm} ${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

export function fmtDate(ts: number, offsetMin = 420): string {
  const d = new Date((ts + offsetMin * 60) * 1000);
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

export function fmtDay(day: number | string): string {
  const s = String(day).replace(/-/g, "");
  return `${s.slice(6, 8)}/${s.slice(4, 6)}/${s.slice(0, 4)}`;
}

export function fmtNum(v: number | null | undefined, digits = 2): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "-";
  return v.toLocaleString(lang() === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: digits, minimumFractionDigits: Math.abs(v) < 1000 ? digits : 0 });
}

export function fmtIso(text: string | null | undefined): string {
  if (!text) return "-";
  const d = new Date(text);
  return Number.isNaN(d.getTime()) ? text : fmtTime(Math.floor(d.getTime() / 1000));
}

/** Value for <input type="datetime-local"> in UTC+7. */
export function toLocalInput(ts: number): string {
  const d = new Date((ts + 420 * 60) * 1000);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

export function fromLocalInput(text: string): number | null {
  if (!text) return null;
  const t = Date.parse(text + ":00+07:00");
  return Number.isNaN(t) ? null : Math.floor(t / 1000);
}

export const STATUS_COLOURS: Record<string, string> = {
  good: "#2e9e44",
  exceeding: "#d62728",
  device_error: "#ff7f0e",
  calibrating: "#7b4fc9",
  disconnected: "#8c8c8c",
  unknown: "#c0c0c0",
};

export const COMPONENTS = ["ambient_air", "emission", "surface_water", "groundwater", "wastewater"] as const;
export const COMPONENT_ABBR: Record<string, string> = {
  ambient_air: "KK",
  emission: "KT",
  surface_water: "NM",
  groundwater: "NN",
  wastewater: "NT",
};
