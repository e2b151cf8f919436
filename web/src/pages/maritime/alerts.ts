// Maritime alert pop-ups on the chart page: every maritime alert the live hub sends (AtoN low
// voltage, light failure, off position, lost signal, zone entry, speeding) shows a card with a
// beep and an acknowledge button; the card leaves when acknowledged or resolved elsewhere.
import { api } from "../../api";
import { h, toast } from "../../dom";
import { t } from "../../i18n";
import { beep } from "../../components/popup";

export class AlertCards {
  el = h("div", { class: "mui-alerts", "aria-live": "assertive" });
  private cards = new Map<number, HTMLElement>();

  constructor(private focus: (kind: string, id: string) => void) {}

  handle(event: any): void {
    const alert = event.alert || {};
    if (alert.domain !== "maritime") return;
    const id = Number(event.alert_id ?? alert.id);
    if (alert.state === "resolved" || event.action === "resolved" || alert.state === "acknowledged") {
      this.cards.get(id)?.remove();
      this.cards.delete(id);
      return;
    }
    if (this.cards.has(id) || event.action !== "opened") return;
    const card = h("div", { class: `mui-alert sev-border-${alert.severity}`, role: "alertdialog", "data-alert": id },
      h("div", { class: "gs-popup-head" },
        h("span", { class: `pill sev-${alert.severity}` }, t(`sev_${alert.severity}`)),
        h("strong", null, t(`m_${alert.rule}`) !== `m_${alert.rule}` ? t(`m_${alert.rule}`) : alert.rule),
        h("button", { class: "icon-btn", "aria-label": t("dismiss"), onclick: () => { card.remove(); this.cards.delete(id); } }, "×")),
      h("div", { class: "gs-popup-body" }, `${alert.asset_kind === "aton" ? "AtoN" : t("m_vessels")} ${alert.asset_id}: ${alert.message || ""}`),
      h("div", { class: "gs-popup-foot" },
        h("button", { onclick: () => this.focus(alert.asset_kind, String(alert.asset_id)) }, t("details")),
        h("button", { class: "primary", "data-action": "ack", onclick: () => this.ack(id, card) }, t("m_ack"))));
    this.cards.set(id, card);
    this.el.prepend(card);
    beep(alert.severity);
  }

  private async ack(id: number, card: HTMLElement): Promise<void> {
    try {
      await api(`/alerts/${id}/acknowledge`, { method: "POST", body: { note: "" } });
      card.classList.add("acked");
      card.querySelector("[data-action=ack]")?.replaceWith(h("span", { class: "pill" }, t("m_acked")));
      setTimeout(() => { card.remove(); this.cards.delete(id); }, 1500);
    } catch (err) {
      toast((err as Error).message, "error");
    }
  }
}
