/**
 * Where to go after logging in: the page that was asked for, but only a path of this site. Anything
 * that could leave it ("//evil", "/\evil", "http://x", "javascript:…") or loop back to the login is
 * refused and lands on the dashboard. Stateless: used by the server (the redirect to /login, the
 * login route) and the login form.
 */

/** Set by the HTTP front on every page request (any value the client sent is overwritten). */
export const PATH_HEADER = "x-cowherd-path";

const BASE = "http://cowherd.invalid";

export function safeReturnPath(raw: string | null | undefined): string {
  if (typeof raw !== "string" || raw.length > 2000) return "/";
  // A relative path of this origin only: one leading slash, no backslash or control characters
  // (browsers read "/\evil" as "//evil"), nothing a URL parser would take as another origin.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a target with control characters is refused
  if (!raw.startsWith("/") || raw.startsWith("//") || /[\\\u0000-\u001f\u007f]/.test(raw)) return "/";
  let url: URL;
  try {
    url = new URL(raw, BASE);
  } catch {
    return "/";
  }
  if (url.origin !== BASE) return "/";
  if (url.pathname === "/login" || url.pathname.startsWith("/api/")) return "/";
  return `${url.pathname}${url.search}${url.hash}`;
}

/** The login page's address for a return to `path` (the dashboard needs no `next`). */
export function loginHref(path: string | null | undefined): string {
  const next = safeReturnPath(path);
  return next === "/" ? "/login" : `/login?next=${encodeURIComponent(next)}`;
}
