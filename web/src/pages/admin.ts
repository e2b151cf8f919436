import { api } from "../api";
import { h, modal, select, toast } from "../dom";
import { COMPONENTS, fmtTime } from "../format";
import { t } from "../i18n";
import { feature, ready } from "../state";
import { table } from "../components/table";

const ROLES = ["admin", "ministry", "province", "enterprise", "operator"];

function secret(label: string, value: string): void {
  modal(label, h("div", null, h("p", null, t("password_once")), h("pre", { class: "secret", "data-secret": "" }, value)));
}

export default async function adminPage(root: HTMLElement, _p: Record<string, string>, query: URLSearchParams): Promise<void> {
  const tab = query.get("tab") || "stations";
  root.append(h("h1", null, t("admin")), h("nav", { class: "tabs" },
    [["stations", t("stations_permits")], ["accounts", t("accounts")], ["users", t("users")], ["limits", t("limit_tables")], ["audit", t("audit")]].map(([k, label]) =>
      h("a", { href: `/admin?tab=${k}`, class: k === tab ? "active" : "" }, label))));
  const out = h("div");
  root.append(out);
  if (tab === "stations") await stationsTab(out);
  else if (tab === "accounts") await accountsTab(out);
  else if (tab === "users") await usersTab(out);
  else if (tab === "limits") await limitsTab(out);
  else await auditTab(out);
  ready("admin");
}

async function stationsTab(out: HTMLElement): Promise<void> {
  const [data, orgs] = await Promise.all([api("/stations", { query: { limit: 5000 } }), api("/organisations")]);
  const edit = (s: any) => {
    const f: Record<string, HTMLInputElement | HTMLSelectElement> = {
      name: h("input", { value: s?.name || "" }),
      code: h("input", { value: s?.code || "", readonly: !!s }),
      component: select(COMPONENTS.map((c) => [c, t(c)] as [string, string]), s?.component || "wastewater", () => {}),
      lat: h("input", { type: "number", step: "any", value: s?.lat ?? "" }),
      lon: h("input", { type: "number", step: "any", value: s?.lon ?? "" }),
      permit_standard: h("input", { value: s?.permit?.standard || "" }),
      permit_column: h("input", { value: s?.permit?.column || "" }),
      coefficients: h("input", { value: s?.permit?.coefficients ? Object.entries(s.permit.coefficients).map(([k, v]) => `${k}=${v}`).join(";") : "", placeholder: "Kq=0.9;Kf=1.0" }),
      organisation: select([["", "-"], ...orgs.items.map((o: any) => [o.code, o.name] as [string, string])], s?.organisation || "", () => {}),
      published: h("input", { type: "checkbox", checked: !!s?.published }),
    };
    const box = modal(s ? s.code : t("add"), h("form", { class: "form", onsubmit: async (e: Event) => {
      e.preventDefault();
      const coeffs = Object.fromEntries(f.coefficients.value.split(";").filter(Boolean).map((p) => p.split("=")).map(([k, v]) => [k.trim(), Number(v)]));
      await api(`/stations/${encodeURIComponent(f.code.value)}`, { method: "PUT", body: {
        code: f.code.value, name: f.name.value, component: f.component.value,
        lat: f.lat.value === "" ? null : Number(f.lat.value), lon: f.lon.value === "" ? null : Number(f.lon.value),
        permit_standard: f.permit_standard.value || null, permit_column: f.permit_column.value || null,
        permit_coefficients: Object.keys(coeffs).length ? coeffs : null, organisation: f.organisation.value, published: (f.published as HTMLInputElement).checked,
      } });
      toast(t("save"));
      box.remove();
      stationsTab(out);
    } }, Object.entries(f).map(([k, el]) => h("label", null, t(k === "permit_standard" ? "standard" : k === "permit_column" ? "column" : k), el)), h("button", { class: "primary", type: "submit" }, t("save"))));
  };
  out.replaceChildren(h("button", { class: "primary", onclick: () => edit(null) }, t("add")), table([
    { label: t("code"), cell: (r: any) => h("a", { href: `/stations/${encodeURIComponent(r.code)}` }, r.code) },
    { label: t("name"), cell: (r: any) => r.name },
    { label: t("component"), cell: (r: any) => t(r.component) },
    { label: t("organisation"), cell: (r: any) => r.organisation || "-" },
    { label: t("permit"), cell: (r: any) => [r.permit.standard, r.permit.column].filter(Boolean).join(" / ") || "-" },
    { label: t("registered"), cell: (r: any) => (r.registered ? "✓" : "✗") },
    { label: t("published"), cell: (r: any) => (r.published ? "✓" : "") },
    { label: "", cell: (r: any) => h("button", { onclick: () => edit(r) }, t("edit")) },
  ], data.items, 0, { "data-table": "admin-stations" }));
}

async function accountsTab(out: HTMLElement): Promise<void> {
  const data = await api("/accounts");
  const username = h("input", { placeholder: "ftp_user", required: true });
  const stations = h("input", { placeholder: "HN_ABC_*", required: true });
  out.replaceChildren(
    h("form", { class: "filters", onsubmit: async (e: Event) => {
      e.preventDefault();
      const made = await api("/accounts", { method: "POST", body: { username: username.value, stations: stations.value.split(/[ ,]+/).filter(Boolean) } });
      secret(made.username, made.password);
      accountsTab(out);
    } }, h("label", null, t("username"), username), h("label", null, t("allowed_stations"), stations), h("button", { class: "primary" }, t("add"))),
    table([
      { label: t("username"), cell: (r: any) => r.username },
      { label: t("home_folder"), cell: (r: any) => r.home },
      { label: t("allowed_stations"), cell: (r: any) => r.stations.join(", ") },
      { label: t("active"), cell: (r: any) => (r.active ? "✓" : "✗") },
      { label: t("last_upload"), cell: (r: any) => fmtTime(r.last_upload_at) },
      { label: "", cell: (r: any) => h("span", { class: "nowrap" },
          h("button", { onclick: async () => { await api(`/accounts/${r.id}`, { method: "PATCH", body: { active: !r.active } }); accountsTab(out); } }, r.active ? t("disable") : t("enable")),
          h("button", { onclick: async () => { const x = await api(`/accounts/${r.id}/password`, { method: "POST" }); secret(x.username, x.password); } }, t("reset_password"))) },
    ], data.items, 0, { "data-table": "accounts" }),
  );
}

async function usersTab(out: HTMLElement): Promise<void> {
  const [data, provinces, orgs] = await Promise.all([api("/users"), api("/provinces"), api("/organisations")]);
  const username = h("input", { required: true });
  let role = "province", province = "", org = "";
  out.replaceChildren(
    h("form", { class: "filters", onsubmit: async (e: Event) => {
      e.preventDefault();
      const made = await api("/users", { method: "POST", body: { username: username.value, role, province: province || null, organisation: org || null } });
      secret(made.username, made.password);
      usersTab(out);
    } },
      h("label", null, t("username"), username),
      h("label", null, t("role"), select(ROLES.map((r) => [r, r] as [string, string]), role, (v) => (role = v))),
      h("label", null, t("province"), select([["", "-"], ...provinces.items.map((p: any) => [p.code, p.name] as [string, string])], "", (v) => (province = v))),
      h("label", null, t("organisation"), select([["", "-"], ...orgs.items.map((o: any) => [o.code, o.name] as [string, string])], "", (v) => (org = v))),
      h("button", { class: "primary" }, t("add"))),
    table([
      { label: t("username"), cell: (r: any) => r.username },
      { label: t("display_name"), cell: (r: any) => r.display_name },
      { label: t("role"), cell: (r: any) => r.role },
      { label: t("province"), cell: (r: any) => r.province || "-" },
      { label: t("organisation"), cell: (r: any) => r.organisation || "-" },
      { label: t("active"), cell: (r: any) => (r.active ? "✓" : "✗") },
      { label: "", cell: (r: any) => h("span", { class: "nowrap" },
          h("button", { onclick: async () => { await api(`/users/${r.id}`, { method: "PATCH", body: { active: !r.active } }); usersTab(out); } }, r.active ? t("disable") : t("enable")),
          h("button", { onclick: async () => { const x = await api(`/users/${r.id}/password`, { method: "POST" }); secret(x.username, x.password); } }, t("reset_password"))) },
    ], data.items, 0, { "data-table": "users" }),
  );
}

async function limitsTab(out: HTMLElement): Promise<void> {
  if (!feature("exceedance")) {
    out.replaceChildren(h("p", { class: "note" }, t("needs_quality")));
    return;
  }
  const stations = await api("/stations", { query: { limit: 5000 } });
  const body = h("div");
  const show = async (code: string) => {
    const data = await api(`/stations/${encodeURIComponent(code)}/limits`);
    body.replaceChildren(table([
      { label: t("parameter"), cell: (r: any) => r.parameter }, { label: t("averaging"), cell: (r: any) => r.averaging },
      { label: t("min"), cell: (r: any) => r.min ?? "-", class: "num" }, { label: t("max"), cell: (r: any) => r.max ?? "-", class: "num" },
      { label: t("unit"), cell: (r: any) => r.unit }, { label: t("standard"), cell: (r: any) => r.standard }, { label: t("column"), cell: (r: any) => r.column || "-" },
    ], data.items, 0, { "data-table": "limits" }));
  };
  out.replaceChildren(h("label", null, t("choose_station"), select(stations.items.map((s: any) => [s.code, `${s.code} — ${s.name}`] as [string, string]), stations.items[0]?.code || "", show)), body);
  if (stations.items.length) await show(stations.items[0].code);
}

async function auditTab(out: HTMLElement): Promise<void> {
  const data = await api("/audit", { query: { limit: 200 } });
  out.replaceChildren(table([
    { label: t("datetime"), cell: (r: any) => new Date(r.at).toLocaleString() },
    { label: t("username"), cell: (r: any) => r.actor }, { label: "", cell: (r: any) => r.action },
    { label: "", cell: (r: any) => r.target }, { label: "IP", cell: (r: any) => r.client },
  ], data.items, 0, { "data-table": "audit" }));
}
