"use client";

import { postJson } from "@/lib/client/fetcher";

export function LogoutButton() {
  return (
    <button
      type="button"
      className="rounded border border-slate-600 px-2.5 py-1 text-slate-200 hover:bg-slate-800"
      onClick={async () => {
        await postJson("/api/auth/logout").catch(() => undefined);
        window.location.assign("/login");
      }}
    >
      Log out
    </button>
  );
}
