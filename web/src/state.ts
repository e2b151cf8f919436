// Who is logged in and what the server has installed; shared by every page.
export interface Me {
  authenticated: boolean;
  username: string;
  display_name: string;
  role: string;
  language: string;
  province: { code: string; name: string } | null;
  organisation: { code: string; name: string } | null;
  features: Record<string, boolean>;
  csrf_token?: string | null;
}

export const session: { me: Me | null } = { me: null };

export function feature(name: string): boolean {
  return !!session.me?.features?.[name];
}

export function isEnv(): boolean {
  return ["admin", "ministry", "province", "enterprise"].includes(session.me?.role || "");
}

export function navigate(path: string): void {
  history.pushState(null, "", path);
  window.dispatchEvent(new Event("giamsat:navigate"));
}

/** Pages set this when their data has been drawn (browser tests wait for it). */
export function ready(page: string): void {
  document.body.dataset.ready = page;
}
