// The time slider: move it and the chart shows every vessel where it was at that moment
// (/maritime/picture); choose vessels or a group and play their tracks back.
import { api } from "../../api";
import { h, select, toast } from "../../dom";
import { fmtTime } from "../../format";
import { t } from "../../i18n";
import type { TrackLayer } from "./tracks";
import type { VesselLayer } from "./vessels";

const SPANS: [string, number][] = [["1 h", 3600], ["6 h", 21600], ["24 h", 86400], ["7 d", 604800]];
// playback speed: the whole track in one minute, or a multiple of real time
const SPEEDS = ["fit", "10", "60", "600", "3600"];

export function timeSlider(vessels: VesselLayer, tracks: TrackLayer, groups: () => { id: number; name: string }[]): HTMLElement {
  let span = 86400;
  let end = Math.floor(Date.now() / 1000);
  let playing = 0;
  let pictureTimer = 0;
  let lastPicture = 0;
  const range = h("input", { type: "range", min: 0, max: 1000, value: 1000, step: 1, "data-slider": "1", "aria-label": t("m_time") });
  const label = h("span", { class: "mui-time-label", "data-time": "" }, t("m_live_mode"));
  const live = h("button", { hidden: true, "data-action": "live" }, t("m_back_live"));
  const who = h("input", { placeholder: "MMSI, MMSI…", size: 16, "data-playback": "mmsi" });
  const groupSel = select([["", t("m_group")]], "", () => {}, { "data-playback": "group" });
  const play = h("button", { "data-action": "play" }, t("m_play"));
  const speedSel = select(
    SPEEDS.map((v) => [v, v === "fit" ? t("m_speed_fit") : `×${v}`] as [string, string]),
    "fit",
    () => {},
    { "data-playback": "speed", title: t("m_speed"), "aria-label": t("m_speed") },
  );
  const at = () => end - span + Math.round((Number(range.value) / 1000) * span);

  async function picture(ts: number): Promise<void> {
    lastPicture = Date.now();
    const data = await api("/maritime/picture", { query: { at: ts, lookback: Math.min(Math.max(span / 24, 600), 7200) } });
    if (range.dataset.mode === "past") {
      vessels.showPast(data.items);
      label.dataset.loaded = String(ts);
    }
  }

  function moved(): void {
    const ts = at();
    if (Number(range.value) >= 1000 && !playing) {
      goLive();
      return;
    }
    range.dataset.mode = "past";
    label.textContent = `${t("m_picture_at")} ${fmtTime(ts, 420, true)}`;
    label.dataset.time = String(ts);
    live.hidden = false;
    tracks.setTime(ts);
    clearTimeout(pictureTimer);
    const wait = playing ? Math.max(0, 1000 - (Date.now() - lastPicture)) : 150;
    pictureTimer = window.setTimeout(() => picture(ts).catch((e) => toast(e.message, "error")), wait);
  }

  function goLive(): void {
    stop();
    end = Math.floor(Date.now() / 1000);
    span = Number(spanSel.value);
    range.value = "1000";
    delete range.dataset.mode;
    label.textContent = t("m_live_mode");
    label.dataset.time = "";
    delete label.dataset.loaded;
    live.hidden = true;
    tracks.clear();
    vessels.showPast(null);
  }

  function stop(): void {
    if (playing) cancelAnimationFrame(playing);
    playing = 0;
    play.textContent = t("m_play");
  }

  async function startPlayback(): Promise<void> {
    if (playing) return stop();
    const mmsi = who.value.split(/[\s,;]+/).map(Number).filter((n) => n > 0);
    const group = groupSel.value ? Number(groupSel.value) : null;
    if (!mmsi.length && !group) {
      toast(t("m_playback_of"), "error");
      return;
    }
    const now = Math.floor(Date.now() / 1000);
    await tracks.load({ mmsi, group }, now - span, now);
    // play over the time the tracks cover, not the whole window
    const times = [...tracks.byVessel.values()].flatMap((pts) => [pts[0].ts, pts[pts.length - 1].ts]);
    if (!times.length) {
      toast(t("no_data"), "error");
      return;
    }
    end = Math.max(...times);
    span = Math.max(600, end - Math.min(...times));
    range.value = "0";
    play.textContent = t("m_pause");
    let position = 0; // 0..1 of the tracks' time; the speed may change while playing
    let last = performance.now();
    const step = () => {
      const now = performance.now();
      const perMs = speedSel.value === "fit" ? 1 / 60000 : Number(speedSel.value) / (span * 1000);
      position = Math.min(1, position + (now - last) * perMs);
      last = now;
      range.value = String(Math.round(position * 1000));
      moved();
      if (position < 1 && playing) playing = requestAnimationFrame(step);
      else stop();
    };
    playing = requestAnimationFrame(step);
  }

  range.addEventListener("input", moved);
  live.addEventListener("click", goLive);
  play.addEventListener("click", () => startPlayback().catch((e) => toast(e.message, "error")));
  const spanSel = select(SPANS.map(([l, s]) => [String(s), l] as [string, string]), String(span), (v) => { span = Number(v); end = Math.floor(Date.now() / 1000); if (range.dataset.mode) moved(); }, { "data-span": "1" });
  const el = h("div", { class: "mui-time" }, h("strong", null, t("m_time")), spanSel, range, label, live, h("span", { class: "mui-sep" }), t("m_playback_of"), who, groupSel, speedSel, play);
  el.addEventListener("focusin", () => {
    const options = groups();
    if (groupSel.options.length !== options.length + 1) {
      groupSel.replaceChildren(h("option", { value: "" }, t("m_group")), ...options.map((g) => h("option", { value: String(g.id) }, g.name)));
    }
  });
  return el;
}
