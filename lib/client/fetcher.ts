import { loginHref } from "./return-to";

/** The one fetcher for SWR and actions: JSON in, JSON out, API errors lifted into ApiError. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

async function parse<T>(res: Response): Promise<T> {
  const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
  // An expired session sends the browser to the login page (not for the login request itself).
  if (res.status === 401 && typeof window !== "undefined" && !res.url.endsWith("/api/auth/login"))
    window.location.assign(loginHref(window.location.pathname + window.location.search));
  // Any non-2xx is a failure, whatever its body says (a proxy's JSON, an empty object, no JSON at all).
  if (!res.ok) {
    const e = body?.error;
    throw new ApiError(
      res.status,
      typeof e?.code === "string" ? e.code : "http",
      typeof e?.message === "string" && e.message ? e.message : `HTTP ${res.status}`,
    );
  }
  return body as T;
}

export const fetcher = <T>(url: string): Promise<T> => fetch(url, { credentials: "same-origin" }).then((r) => parse<T>(r));

/** POST JSON (or nothing); throws ApiError with the server's message on a non-2xx answer. */
export async function postJson<T>(url: string, body?: unknown): Promise<T> {
  return requestJson<T>("POST", url, body);
}

/** Any JSON request for the settings forms; throws ApiError with the server's message on failure. */
export async function requestJson<T>(method: "POST" | "PUT" | "PATCH" | "DELETE", url: string, body?: unknown): Promise<T> {
  const res = await fetch(url, {
    method,
    credentials: "same-origin",
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return parse<T>(res);
}
