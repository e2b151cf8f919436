import "./styles.css";
import { api, setUnauthorizedHandler } from "./api";
import { clear, h, toast } from "./dom";
import { COMPONENTS } from "./format";
import { lang, setLang, t } from "./i18n";
import { connectLive, disconnectLive, onLiveStatus, subscribe } from "./live";
import { startPopups, stopPopups } from "./components/popup";
import { type Me, isEnv, navigate, session } from "./state";

type Cleanup = void | (() => void);
type Page = (root: HTMLElement, params: Record<string, string>, query: URLSearchParams) => Cleanup | Promise<Cleanup>;

const routes: [RegExp, () => Promise<{ default: Page }>, boolean][] = [
  [/^\/login$/, () => import("./pages/login"), true],
  [/^\/public$/, () => import("./pages/aqi"), true],
  [/^\/$/, () => import("./pages/home"), false],
  [/^\/map$/, () => import("./pages/map"), false],
  [/^\/monitoring\/(?<component>[a-z_]+)$/, () => import("./pages/monitoring"), false],
  [/^\/stations$/, () => import("./pages/stations"), false],
  [/^\/stations\/(?<code>[^/]+)$/, () => import("./pages/station"), false],
  [/^\/data$/, () => import("./pages/data"), false],
  [/^\/reports$/, () => import("./pages/reports"), false],
  [/^\/aqi$/, () => import("./pages/aqi"), false],
  [/^\/alerts$/, () => import("./pages/alerts"), false],
  [/^\/files$/, () => import("./pages/files"), false],
  [/^\/admin$/, () => import("./pages/admin"), false],
  [/^\/notifications$/, () => import("./pages/notifications"), false],
  [/^\/maritime$/, () => import("./pages/maritime/index"), false],
];

let cleanup: Cleanup;
let alertBadge: HTMLElement | null = null;

async function loadSession(): Promise<Me> {
  const me = await api<Me>("/auth/session", { quiet401: true });
  session.me = me;
  return me;
}

function menu(me: Me): HTMLElement {
  const link = (href: string, label: string, extra?: Node) =>
    h("a", { href, class: location.pathname === href ? "active" : "" }, label, extra);
  const items: (HTMLElement | false)[] = [];
  if (isEnv()) {
    alertBadge = h("span", { class: "badge", hidden: true }, "");
    items.push(
      link("/", t("home")),
      link("/map", t("map")),
      h(
        "details",
        { class: "submenu", open: location.pathname.startsWith("/monitoring") },
        h("summary", null, t("monitoring")),
        COMPONENTS.map((c) => link(`/monitoring/${c}`, `${t(c)}`)),
      ),
      link("/stations", t("stations")),
      link("/data", t("lookup")),
      link("/reports", t("reports")),
      link("/aqi", t("aqi")),
      link("/alerts", t("alerts"), alertBadge),
      link("/files", t("files")),
    );
  } else {
    items.push(link("/", t("home")));
  }
  if (["admin", "ministry", "operator"].includes(me.role)) items.push(link("/maritime", t("maritime_chart")));
  items.push(link("/notifications", t("notifications")));
  if (me.role === "admin") items.push(link("/admin", t("admin")));
  items.push(h("a", { href: "/public", target: "_blank", rel: "noopener" }, t("public_page") + " ↗"));
  return h("nav", { class: "menu", "aria-label": t("menu") }, items);
}

function layout(me: Me): { main: HTMLElement } {
  const app = document.getElementById("app")!;
  clear(app);
  const liveDot = h("span", { class: "live-dot", title: t("offline") });
  onLiveStatus((up) => {
    liveDot.classList.toggle("up", up);
    liveDot.title = up ? t("live") : t("offline");
  });
  const sidebar = h("aside", { class: "sidebar" }, menu(me));
  const header = h(
    "header",
    { class: "topbar" },
    h("button", { class: "icon-btn hamburger", "aria-label": t("menu"), onclick: () => document.body.classList.toggle("menu-open") }, "☰"),
    h("a", { href: "/", class: "brand" }, h("img", { src: "/icon.svg", alt: "", width: 28, height: 28 }), h("span", null, t("app_title"))),
    h(
      "div",
      { class: "user" },
      liveDot,
      h("span", { class: "who" }, `${me.display_name} · ${me.role}${me.province ? " · " + me.province.name : ""}${me.organisation ? " · " + me.organisation.name : ""}`),
      h("button", { class: "link-btn", onclick: () => switchLang() }, t("language")),
      h("button", { class: "link-btn", onclick: logout }, t("logout")),
    ),
  );
  const main = h("main", { class: "content", id: "main" });
  app.append(header, h("div", { class: "shell" }, sidebar, main));
  return { main };
}

async function refreshAlertBadge(): Promise<void> {
  if (!alertBadge || !session.me?.features?.alerts) return;
  try {
    const open = await api("/alerts", { query: { state: "open", limit: 1 } });
    const ack = await api("/alerts", { query: { state: "acknowledged", limit: 1 } });
    const n = open.total + ack.total;
    alertBadge.textContent = String(n);
    alertBadge.hidden = n === 0;
  } catch {
    /* the badge is a hint only */
  }
}

function switchLang(): void {
  setLang(lang() === "vi" ? "en" : "vi");
  render();
}

async function logout(): Promise<void> {
  try {
    await api("/auth/logout", { method: "POST" });
  } catch {
    /* already logged out */
  }
  session.me = null;
  stopPopups();
  disconnectLive();
  navigate("/login");
}

async function render(): Promise<void> {
  if (typeof cleanup === "function") cleanup();
  cleanup = undefined;
  document.body.classList.remove("menu-open");
  delete document.body.dataset.ready;
  const path = location.pathname.replace(/\/+$/, "") || "/";
  const match = routes.find(([re]) => re.test(path));
  if (!match) {
    navigate("/");
    return;
  }
  const [re, loader, isPublic] = match;
  const params = (path.match(re)?.groups || {}) as Record<string, string>;
  const query = new URLSearchParams(location.search);
  const me = session.me || (await loadSession());
  const module = await loader();
  let root: HTMLElement;
  if (isPublic) {
    const app = document.getElementById("app")!;
    clear(app);
    root = h("main", { class: "public-root" });
    app.append(root);
  } else {
    if (!me.authenticated) {
      navigate("/login");
      return;
    }
    root = layout(me).main;
    connectLive();
    startPopups();
    refreshAlertBadge();
  }
  try {
    cleanup = await module.default(root, params, query);
  } catch (err) {
    root.append(h("p", { class: "error" }, `${t("error")}: ${(err as Error).message}`));
  }
}

setLang(lang());
setUnauthorizedHandler(() => {
  session.me = null;
  if (!location.pathname.startsWith("/public") && location.pathname !== "/login") navigate("/login");
});
document.addEventListener("click", (e) => {
  const a = (e.target as HTMLElement).closest("a");
  if (!a || a.target || a.hasAttribute("download") || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener("popstate", () => render());
window.addEventListener("giamsat:navigate", () => render());
subscribe(["alert"], () => refreshAlertBadge());
window.addEventListener("unhandledrejection", (e) => toast(String(e.reason?.message || e.reason), "error"));
if ("serviceWorker" in navigator && !navigator.webdriver) {
  navigator.serviceWorker.register("/sw.js").catch(() => {});
}
export async function reloadSession(): Promise<void> {
  await loadSession();
}
render();
