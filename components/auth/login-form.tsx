"use client";

import { useState } from "react";
import { ApiError, postJson } from "@/lib/client/fetcher";
import { safeReturnPath } from "@/lib/client/return-to";

const SERVER_ERRORS: Record<string, string> = {
  wrong: "Wrong user name or password",
  limited: "Too many failed logins: wait a moment and try again",
};

/** `next`: where to go once logged in (already checked by the page: a path of this site). */
export function LoginForm({ serverError, next = "/" }: { serverError?: string; next?: string }) {
  const [error, setError] = useState<string | null>(serverError ? (SERVER_ERRORS[serverError] ?? null) : null);
  const [busy, setBusy] = useState(false);
  return (
    <form
      method="post"
      action="/api/auth/login"
      className="space-y-4"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setBusy(true);
        setError(null);
        try {
          await postJson("/api/auth/login", { username: String(form.get("username")), password: String(form.get("password")) });
          window.location.assign(safeReturnPath(next));
        } catch (err) {
          setError(err instanceof ApiError ? err.message : "Cannot reach the server");
          setBusy(false);
        }
      }}
    >
      <input type="hidden" name="next" value={next} />
      <label className="block text-sm font-medium">
        User name
        <input
          name="username"
          autoComplete="username"
          required
          defaultValue="admin"
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 focus:border-sky-500 focus:ring-1 focus:ring-sky-500"
        />
      </label>
      <label className="block text-sm font-medium">
        Password
        <input
          name="password"
          type="password"
          autoComplete="current-password"
          required
          // biome-ignore lint/a11y/noAutofocus: the login page has one thing to do, and the name is filled in by the browser
          autoFocus
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 focus:border-sky-500 focus:ring-1 focus:ring-sky-500"
        />
      </label>
      {error && (
        <p role="alert" className="rounded-md bg-red-50 px-3 py-2 text-sm text-red-800 ring-1 ring-red-200">
          {error}
        </p>
      )}
      <button type="submit" disabled={busy} className="w-full rounded-md bg-slate-900 px-3 py-2 font-medium text-white hover:bg-slate-700 disabled:opacity-60">
        {busy ? "Logging in…" : "Log in"}
      </button>
    </form>
  );
}
