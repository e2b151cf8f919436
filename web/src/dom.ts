// Tiny DOM helpers: h() builds elements, no framework needed for these pages.
type Child = Node | string | number | null | undefined | false;
type Attrs = Record<string, unknown> | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs?: Attrs,
  ...children: (Child | Child[])[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (attrs) {
    for (const [key, value] of Object.entries(attrs)) {
      if (value === undefined || value === null || value === false) continue;
      if (key.startsWith("on") && typeof value === "function") {
        el.addEventListener(key.slice(2).toLowerCase(), value as EventListener);
      } else if (key === "class") {
        el.className = String(value);
      } else if (key === "style") {
        el.setAttribute("style", String(value));
      } else if (key === "value" || key === "checked" || key === "selected" || key === "disabled") {
        (el as unknown as Record<string, unknown>)[key] = value;
      } else {
        el.setAttribute(key, value === true ? "" : String(value));
      }
    }
  }
  append(el, children);
  return el;
}

export function append(el: Element, children: (Child | Child[])[]): void {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function select(
  options: [string, string][],
  value: string,
  onChange: (v: string) => void,
  attrs: Attrs = {},
): HTMLSelectElement {
  const el = h(
    "select",
    { ...attrs, onchange: (e: Event) => onChange((e.target as HTMLSelectElement).value) },
    options.map(([v, label]) => h("option", { value: v, selected: v === value }, label)),
  );
  el.value = value;
  return el;
}

export function modal(title: string, body: Node, onClose?: () => void): HTMLElement {
  const close = () => {
    overlay.remove();
    onClose?.();
  };
  const overlay = h(
    "div",
    { class: "modal", role: "dialog", "aria-modal": "true", onclick: (e: Event) => e.target === overlay && close() },
    h("div", { class: "modal-box" }, h("div", { class: "modal-head" }, h("h3", null, title), h("button", { class: "icon-btn", "aria-label": "close", onclick: close }, "×")), body),
  );
  document.body.append(overlay);
  return overlay;
}

export function toast(message: string, kind: "ok" | "error" = "ok"): void {
  const el = h("div", { class: `toast ${kind}`, role: "status" }, message);
  document.body.append(el);
  setTimeout(() => el.remove(), 4000);
}

const ICONS: Record<string, string> = {
  chart: "M3 17h18M6 14l4-5 4 3 5-7",
  details: "M6 3h9l4 4v14H6zM9 11h7M9 15h7M9 7h4",
  pin: "M12 21s-6-6.5-6-11a6 6 0 0 1 12 0c0 4.5-6 11-6 11zM12 12.5a2.5 2.5 0 1 0 0-5 2.5 2.5 0 0 0 0 5z",
};

/** A small stroke icon (no emoji font needed on servers and old phones). */
export function icon(name: keyof typeof ICONS | string): SVGSVGElement {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "18");
  svg.setAttribute("height", "18");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
  path.setAttribute("d", ICONS[name] || "");
  path.setAttribute("fill", "none");
  path.setAttribute("stroke", "currentColor");
  path.setAttribute("stroke-width", "2");
  path.setAttribute("stroke-linecap", "round");
  path.setAttribute("stroke-linejoin", "round");
  svg.append(path);
  return svg;
}
