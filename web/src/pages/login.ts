import { ApiError, api } from "../api";
import { h } from "../dom";
import { lang, setLang, t } from "../i18n";
import { navigate, ready, session } from "../state";

export default function login(root: HTMLElement): void {
  const error = h("p", { class: "error", role: "alert" });
  const user = h("input", { name: "username", autocomplete: "username", required: true, autofocus: true });
  const pass = h("input", { name: "password", type: "password", autocomplete: "current-password", required: true });
  const form = h(
    "form",
    {
      class: "login-box",
      onsubmit: async (e: Event) => {
        e.preventDefault();
        error.textContent = "";
        try {
          session.me = await api("/auth/login", { method: "POST", body: { username: user.value, password: pass.value }, quiet401: true });
          navigate("/");
        } catch (err) {
          error.textContent = err instanceof ApiError && err.status === 401 ? t("login_failed") : (err as Error).message;
        }
      },
    },
    h("img", { src: "/icon.svg", alt: "", width: 56, height: 56 }),
    h("h1", null, t("app_title")),
    h("label", null, t("username"), user),
    h("label", null, t("password"), pass),
    error,
    h("button", { type: "submit", class: "primary" }, t("login")),
    h("p", { class: "muted" }, h("a", { href: "/public" }, t("public_page")), " · ", h("button", { type: "button", class: "link-btn", onclick: () => { setLang(lang() === "vi" ? "en" : "vi"); navigate("/login"); } }, t("language"))),
  );
  root.append(h("div", { class: "login-page" }, form));
  ready("login");
}
