// Alert pop-ups: cards in the corner with a sound, and the browser's own notification when the
// user allowed it. They come from the live WebSocket (topic "notify.popup"); those that arrived
// while the page was closed come from the inbox when the page opens.
import { api } from "../api";
import { h, toast } from "../dom";
import { fmtIso } from "../format";
import { t } from "../i18n";
import { subscribe } from "../live";
import { navigate } from "../state";

export interface Popup {
  id: number;
  alert_id: number | null;
  severity: string;
  title: string;
  body: string;
  kind?: string;
  created_at: string;
  payload?: { kind?: string; alert?: { asset_id?: string; asset_kind?: string; state?: string; domain?: string } };
}

let skip: ((p: Popup) => boolean) | null = null;

/** A page with its own alert cards (the maritime chart) keeps those pop-ups from showing twice. */
export function setPopupSkip(fn: ((p: Popup) => boolean) | null): void {
  skip = fn;
}

declare global {
  interface Window {
    __giamsatPopups?: number;
    __giamsatSounds?: number;
    __giamsatNotifications?: number;
  }
}

const shown = new Set<number>();
let stack: HTMLElement | null = null;
let unsubscribe: (() => void) | null = null;
let audio: AudioContext | null = null;

export function soundOn(): boolean {
  return localStorage.getItem("notify_sound") !== "off";
}

export function setSound(on: boolean): void {
  localStorage.setItem("notify_sound", on ? "on" : "off");
}

/** Two short tones (four, faster, for critical alerts); no audio file needed. */
export function beep(severity = "warning"): void {
  if (!soundOn()) return;
  try {
    audio = audio || new AudioContext();
    const ctx = audio;
    const critical = severity === "critical";
    const tones = critical ? [988, 784, 988, 784] : [880, 660];
    tones.forEach((freq, i) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      osc.type = "sine";
      const at = ctx.currentTime + i * (critical ? 0.16 : 0.22);
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(0.25, at + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.18);
      osc.connect(gain).connect(ctx.destination);
      osc.start(at);
      osc.stop(at + 0.2);
    });
    window.__giamsatSounds = (window.__giamsatSounds || 0) + 1;
  } catch {
    /* no audio device, or the browser wants a click first: the card is still there */
  }
}

function systemNotification(p: Popup): void {
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const n = new Notification(p.title, { body: p.body, tag: `giamsat-${p.id}`, icon: "/icon-192.png", requireInteraction: p.severity === "critical" });
    n.onclick = () => {
      window.focus();
      openAlert(p);
      n.close();
    };
    window.__giamsatNotifications = (window.__giamsatNotifications || 0) + 1;
  } catch {
    /* some browsers only allow notifications from a service worker */
  }
}

async function markRead(ids: number[]): Promise<void> {
  try {
    await api("/notify/inbox/read", { method: "POST", body: { ids } });
  } catch {
    /* read marks are a convenience */
  }
}

function openAlert(p: Popup): void {
  const alert = p.payload?.alert;
  if (alert?.asset_kind === "station" && alert.asset_id) navigate(`/stations/${encodeURIComponent(alert.asset_id)}`);
  else navigate(alert?.asset_id ? `/alerts?station=${encodeURIComponent(alert.asset_id)}` : "/alerts");
}

function card(p: Popup): HTMLElement {
  const close = () => {
    el.remove();
    markRead([p.id]);
  };
  const ack = async () => {
    try {
      await api(`/alerts/${p.alert_id}/acknowledge`, { method: "POST", body: { note: "" } });
      toast(t("acknowledged"));
      close();
    } catch (err) {
      toast((err as Error).message, "error");
    }
  };
  const canAck = p.alert_id !== null && ["alert", "raised", "escalation"].includes(p.kind || p.payload?.kind || "") && p.payload?.alert?.state === "open";
  const el = h(
    "div",
    { class: `gs-popup sev-border-${p.severity}`, role: "alertdialog", "aria-live": "assertive", "data-popup": p.id },
    h("div", { class: "gs-popup-head" }, h("span", { class: `pill sev-${p.severity}` }, t(`sev_${p.severity}`)), h("strong", null, p.title.replace(`${t(`sev_${p.severity}`)}: `, "")), h("button", { class: "icon-btn", "aria-label": t("dismiss"), onclick: close }, "×")),
    h("div", { class: "gs-popup-body" }, p.body),
    h(
      "div",
      { class: "gs-popup-foot" },
      h("span", { class: "muted" }, fmtIso(p.created_at)),
      h(
        "span",
        { class: "nowrap" },
        canAck ? h("button", { class: "primary", onclick: ack }, t("acknowledge")) : "",
        h("button", { onclick: () => { openAlert(p); close(); } }, t("open_alert")),
      ),
    ),
  );
  return el;
}

export function showPopup(p: Popup, quiet = false): void {
  if (shown.has(p.id) || skip?.(p)) return;
  shown.add(p.id);
  if (!stack || !stack.isConnected) {
    stack = h("div", { class: "gs-popup-stack", "aria-label": t("notifications") });
    document.body.append(stack);
  }
  stack.prepend(card(p));
  while (stack.children.length > 5) stack.lastElementChild!.remove();
  window.__giamsatPopups = (window.__giamsatPopups || 0) + 1;
  if (!quiet) {
    beep(p.severity);
    systemNotification(p);
  }
}

/** Once per page load, after login: listen for pop-ups and show the unread ones. */
export function startPopups(): void {
  if (unsubscribe) return;
  unsubscribe = subscribe(["notify"], (event) => {
    if (event.topic === "notify.popup") showPopup(event as Popup);
  });
  api("/notify/inbox", { query: { unread: true, limit: 5 } })
    .then((data) => {
      const items = (data.items as Popup[]).slice().reverse();
      items.forEach((p, i) => showPopup(p, i < items.length - 1));
    })
    .catch(() => {});
}

export function stopPopups(): void {
  unsubscribe?.();
  unsubscribe = null;
  stack?.remove();
  stack = null;
}
