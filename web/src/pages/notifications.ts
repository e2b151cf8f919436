// Notifications: my subscriptions (what, where, when), the delivery log (sent, failed and why),
// and my contact details, browser notifications and sound.
import { api } from "../api";
import { h, modal, select, toast } from "../dom";
import { fmtIso } from "../format";
import { t } from "../i18n";
import { subscribe } from "../live";
import { ready, session } from "../state";
import { pager, table } from "../components/table";
import { beep, setSound, soundOn } from "../components/popup";

const SEVERITIES = ["info", "warning", "major", "critical"];
const CHANNELS = ["web", "email", "sms", "webhook"];
const STATES = ["held", "pending", "sent", "failed", "cancelled", "digested"];

export default async function notificationsPage(root: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<() => void> {
  const tab = query.get("tab") || "subscriptions";
  root.append(
    h("h1", null, t("notifications")),
    h("nav", { class: "tabs" }, [["subscriptions", t("subscriptions")], ["log", t("delivery_log")], ["contact", t("contact")]].map(([k, label]) =>
      h("a", { href: `/notifications?tab=${k}`, class: k === tab ? "active" : "" }, label))),
  );
  const out = h("div");
  root.append(out);
  let cleanup = () => {};
  if (tab === "log") cleanup = await logTab(out);
  else if (tab === "contact") await contactTab(out);
  else await subscriptionsTab(out);
  ready("notifications");
  return cleanup;
}

// --- subscriptions ---------------------------------------------------------------------------
function describe(s: any): string {
  const parts: string[] = [];
  if (s.domain) parts.push(t(s.domain));
  if (s.scope_kind) parts.push(`${t("sc_" + s.scope_kind)}: ${s.scope_values.join(", ")}`);
  parts.push(s.rules.length ? s.rules.map((r: string) => t("rule_" + r)).join(", ") : t("all_rules"));
  parts.push(`≥ ${t("sev_" + s.min_severity)}`);
  if (s.quiet_start) parts.push(`${t("quiet_hours")} ${s.quiet_start}–${s.quiet_end}`);
  if (s.digest) parts.push(t("digest_" + s.digest));
  if (s.escalate_after_min) parts.push(`${t("escalation")} ${s.escalate_after_min}′`);
  return parts.join(" · ");
}

async function subscriptionsTab(out: HTMLElement): Promise<void> {
  const [subs, options] = await Promise.all([api("/notify/subscriptions", { query: { limit: 1000 } }), api("/notify/options")]);
  const admin = session.me?.role === "admin";
  const users = admin ? (await api("/users", { query: { limit: 5000 } })).items : [];
  const name = (id: number | null) => users.find((u: any) => u.id === id)?.username || (id === null ? "" : `#${id}`);
  const recipient = (s: any) => (s.role ? `${t("role")}: ${s.role}` : s.address ? s.address : admin ? name(s.user_id) || "-" : t("me"));
  out.replaceChildren(
    h("p", null, h("button", { class: "primary", onclick: () => edit(null) }, t("add"))),
    table([
      { label: t("name"), cell: (s: any) => s.name || "-" },
      { label: t("channel"), cell: (s: any) => t("ch_" + s.channel) },
      { label: t("recipient"), cell: (s: any) => recipient(s) },
      { label: t("details"), cell: (s: any) => describe(s) },
      { label: t("active"), cell: (s: any) => (s.active ? t("yes") : t("no")) },
      { label: "", cell: (s: any) => s.editable
          ? h("span", { class: "nowrap" },
              h("button", { onclick: () => edit(s) }, t("edit")),
              h("button", { onclick: () => test(s.id) }, t("test_send")),
              h("button", { onclick: () => remove(s.id) }, t("delete")))
          : h("span", { class: "muted" }, t("editable_by_admin")) },
    ], subs.items, 0, { "data-table": "subscriptions" }),
  );

  async function test(id: number): Promise<void> {
    await api(`/notify/subscriptions/${id}/test`, { method: "POST" });
    toast(t("test_queued"));
  }
  async function remove(id: number): Promise<void> {
    if (!confirm(t("confirm_delete"))) return;
    await api(`/notify/subscriptions/${id}`, { method: "DELETE" });
    subscriptionsTab(out);
  }

  function edit(s: any | null): void {
    const channels = CHANNELS.filter((c) => options.channels[c] || s?.channel === c);
    const f = {
      name: h("input", { value: s?.name || "", maxlength: 120 }),
      channel: select(channels.map((c) => [c, t("ch_" + c)] as [string, string]), s?.channel || "web", () => {}),
      domain: select([["", t("all")], ["environment", t("environment")], ["maritime", t("maritime")]], s?.domain || "", () => {}),
      scope_kind: select([["", t("all")], ...options.scope_kinds.map((k: string) => [k, t("sc_" + k)] as [string, string])], s?.scope_kind || "", () => {}),
      scope_values: h("input", { value: (s?.scope_values || []).join(", "), placeholder: "HN, HN_NMA_NT01, 992351001" }),
      min_severity: select(SEVERITIES.map((v) => [v, t("sev_" + v)] as [string, string]), s?.min_severity || "warning", () => {}),
      on_resolve: h("input", { type: "checkbox", checked: !!s?.on_resolve }),
      quiet_start: h("input", { type: "time", value: s?.quiet_start || "" }),
      quiet_end: h("input", { type: "time", value: s?.quiet_end || "" }),
      digest: select([["", t("digest_none")], ["hourly", t("digest_hourly")], ["daily", t("digest_daily")]], s?.digest || "", () => {}),
      active: h("input", { type: "checkbox", checked: s ? !!s.active : true }),
    };
    const rules = h("div", { class: "chips" }, options.rules.map((r: string) =>
      h("label", { class: "inline" }, h("input", { type: "checkbox", value: r, checked: (s?.rules || []).includes(r) }), t("rule_" + r))));
    const extra: Record<string, HTMLInputElement | HTMLSelectElement> = {};
    if (admin) {
      extra.target = select([["me", t("me")], ["user", t("users")], ["role", t("role")], ["address", t("address")]],
        s ? (s.role ? "role" : s.address ? "address" : "user") : "me", () => {});
      extra.user_id = select(users.map((u: any) => [String(u.id), `${u.username} (${u.role})`] as [string, string]), String(s?.user_id ?? ""), () => {});
      extra.role = select(["admin", "ministry", "province", "enterprise", "operator"].map((r) => [r, r] as [string, string]), s?.role || "operator", () => {});
      extra.address = h("input", { value: s?.address || "", placeholder: "ten@example.vn / 0912345678 / https://…" });
      extra.escalate_after_min = h("input", { type: "number", min: 1, value: s?.escalate_after_min ?? "" });
      extra.escalate_user_id = select([["", "-"], ...users.map((u: any) => [String(u.id), u.username] as [string, string])], String(s?.escalate_user_id ?? ""), () => {});
      extra.escalate_address = h("input", { value: s?.escalate_address || "" });
      extra.escalate_channel = select([["", "="], ...CHANNELS.map((c) => [c, t("ch_" + c)] as [string, string])], s?.escalate_channel || "", () => {});
    }
    const field = (label: string, el: Node) => h("label", null, label, el);
    const form = h("form", { class: "form", "data-form": "subscription", onsubmit: async (e: Event) => {
      e.preventDefault();
      const body: Record<string, unknown> = {
        name: f.name.value,
        channel: f.channel.value,
        domain: f.domain.value,
        scope_kind: f.scope_kind.value,
        scope_values: f.scope_values.value.split(",").map((v) => v.trim()).filter(Boolean),
        rules: [...rules.querySelectorAll<HTMLInputElement>("input:checked")].map((i) => i.value),
        min_severity: f.min_severity.value,
        on_resolve: (f.on_resolve as HTMLInputElement).checked,
        quiet_start: f.quiet_start.value || null,
        quiet_end: f.quiet_end.value || null,
        digest: f.digest.value,
        active: (f.active as HTMLInputElement).checked,
      };
      if (admin) {
        const target = extra.target.value;
        if (target === "user") body.user_id = Number(extra.user_id.value);
        if (target === "role") body.role = extra.role.value;
        if (target === "address") body.address = extra.address.value;
        if (extra.escalate_after_min.value) {
          body.escalate_after_min = Number(extra.escalate_after_min.value);
          body.escalate_user_id = extra.escalate_user_id.value ? Number(extra.escalate_user_id.value) : null;
          body.escalate_address = extra.escalate_address.value || null;
          body.escalate_channel = extra.escalate_channel.value || null;
        }
      }
      const saved = await api(s ? `/notify/subscriptions/${s.id}` : "/notify/subscriptions", { method: s ? "PUT" : "POST", body });
      box.remove();
      toast(t("save"));
      if (saved.secret) modal(t("ch_webhook"), h("div", null, h("p", null, t("secret_once")), h("pre", { class: "secret" }, saved.secret)));
      subscriptionsTab(out);
    } },
      field(t("name"), f.name),
      field(t("channel"), f.channel),
      admin ? field(t("recipient"), extra.target) : "",
      admin ? field(t("users"), extra.user_id) : "",
      admin ? field(t("role"), extra.role) : "",
      admin ? field(t("address"), extra.address) : "",
      field(t("domain"), f.domain),
      field(t("scope"), f.scope_kind),
      field(t("scope_values"), f.scope_values),
      field(t("min_severity"), f.min_severity),
      field(t("digest"), f.digest),
      field(`${t("quiet_hours")} (${t("from")})`, f.quiet_start),
      field(`${t("quiet_hours")} (${t("to")})`, f.quiet_end),
      h("label", { class: "inline" }, f.on_resolve, t("on_resolve")),
      h("label", { class: "inline" }, f.active, t("active")),
      admin ? field(t("escalate_after"), extra.escalate_after_min) : "",
      admin ? field(t("escalate_to"), extra.escalate_user_id) : "",
      admin ? field(`${t("escalate_to")} (${t("address")})`, extra.escalate_address) : "",
      admin ? field(`${t("escalation")}: ${t("channel")}`, extra.escalate_channel) : "",
      h("div", { class: "wide" }, h("p", { class: "muted" }, t("quiet_note")), h("div", null, t("rules")), rules),
      h("button", { class: "primary", type: "submit" }, t("save")),
    );
    const box = modal(s ? `${t("edit")} #${s.id}` : t("add"), form);
  }
}

// --- delivery log -------------------------------------------------------------------------
async function logTab(out: HTMLElement): Promise<() => void> {
  const admin = session.me?.role === "admin";
  const state = { state: "", channel: "", offset: 0 };
  const counts = h("div", { class: "summary-line" });
  const body = h("div");
  out.replaceChildren(
    h("div", { class: "filters" },
      h("label", null, t("state"), select([["", t("all")], ...STATES.map((s) => [s, t("st_" + s)] as [string, string])], "", (v) => { state.state = v; state.offset = 0; load(); })),
      h("label", null, t("channel"), select([["", t("all")], ...CHANNELS.map((c) => [c, t("ch_" + c)] as [string, string])], "", (v) => { state.channel = v; state.offset = 0; load(); }))),
    counts, body);

  async function show(id: number): Promise<void> {
    const d = await api(`/notify/deliveries/${id}`);
    modal(`#${d.id} · ${t("ch_" + d.channel)} · ${d.destination}`, h("div", null,
      h("p", null, h("span", { class: `pill state-${d.state}` }, t("st_" + d.state)), " ", d.subject),
      d.last_error ? h("p", { class: "error" }, d.last_error) : "",
      table([
        { label: t("datetime"), cell: (a: any) => fmtIso(a.at) },
        { label: t("outcome"), cell: (a: any) => a.outcome },
        { label: t("why"), cell: (a: any) => a.detail },
        { label: "ms", cell: (a: any) => (a.duration_ms === null ? "-" : a.duration_ms.toFixed(0)), class: "num" },
      ], d.attempts_log),
      h("pre", { class: "message-text" }, d.body_text),
      admin && d.state === "failed" ? h("button", { class: "primary", onclick: async () => { await api(`/notify/deliveries/${id}/retry`, { method: "POST" }); toast(t("retry")); load(); } }, t("retry")) : ""));
  }

  async function load(): Promise<void> {
    const data = await api("/notify/deliveries", { query: { state: state.state, channel: state.channel, limit: 100, offset: state.offset } });
    counts.replaceChildren(...STATES.filter((s) => data.counts[s]).map((s) => h("span", { class: `pill state-${s}`, "data-count": s }, `${t("st_" + s)}: ${data.counts[s]}`)).flatMap((e) => [e, " "]));
    body.replaceChildren(table([
      { label: t("created_at"), cell: (r: any) => fmtIso(r.created_at) },
      { label: t("channel"), cell: (r: any) => t("ch_" + r.channel) },
      { label: t("destination"), cell: (r: any) => r.destination },
      { label: t("subject"), cell: (r: any) => h("a", { href: "#", onclick: (e: Event) => { e.preventDefault(); show(r.id); } }, r.subject || r.kind) },
      { label: t("severity"), cell: (r: any) => h("span", { class: `pill sev-${r.severity}` }, t("sev_" + r.severity)) },
      { label: t("state"), cell: (r: any) => h("span", { class: `pill state-${r.state}`, "data-state": r.state }, t("st_" + r.state)) },
      { label: t("attempts"), cell: (r: any) => r.attempts, class: "num" },
      { label: t("sent_at"), cell: (r: any) => fmtIso(r.sent_at || r.release_at) },
      { label: t("why"), cell: (r: any) => r.last_error || r.response || "" },
    ], data.items, state.offset, { "data-table": "deliveries" }), pager(data.total, data.limit, data.offset, (o) => { state.offset = o; load(); }));
  }
  await load();
  let timer = 0;
  const unsubscribe = subscribe(["notify", "alert"], () => {
    clearTimeout(timer);
    timer = window.setTimeout(load, 500);
  });
  return () => {
    clearTimeout(timer);
    unsubscribe();
  };
}

// --- contact details and this device ------------------------------------------------------
async function contactTab(out: HTMLElement): Promise<void> {
  const me = await api("/notify/profile");
  const email = h("input", { type: "email", value: me.email || "", name: "email" });
  const phone = h("input", { type: "tel", value: me.phone || "", name: "phone", placeholder: "0912345678" });
  const language = select([["vi", "Tiếng Việt"], ["en", "English"]], me.language || "vi", () => {});
  const permission = h("span", { class: "muted", "data-permission": "" });
  const showPermission = () => {
    const state = "Notification" in window ? Notification.permission : "denied";
    permission.textContent = state === "granted" ? t("notifications_on") : state === "denied" ? t("notifications_blocked") : "";
  };
  showPermission();
  const sound = h("input", { type: "checkbox", checked: soundOn(), onchange: (e: Event) => setSound((e.target as HTMLInputElement).checked) });
  out.replaceChildren(
    h("form", { class: "form panel", onsubmit: async (e: Event) => {
      e.preventDefault();
      await api("/notify/profile", { method: "PUT", body: { email: email.value, phone: phone.value, language: language.value } });
      toast(t("save"));
    } },
      h("label", null, t("email_address"), email),
      h("label", null, t("phone"), phone),
      h("label", null, t("lang_label"), language),
      h("button", { class: "primary", type: "submit" }, t("save"))),
    h("div", { class: "panel" },
      h("p", null, h("strong", null, t("browser_notifications")), " ", permission, " ",
        h("button", { onclick: async () => { if ("Notification" in window) await Notification.requestPermission(); showPermission(); } }, t("allow_notifications"))),
      h("p", null, h("label", { class: "inline" }, sound, t("sound")), " ", h("button", { onclick: () => beep("critical") }, t("play_sound")))),
  );
}
