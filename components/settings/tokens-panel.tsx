"use client";

import { useState } from "react";
import { requestJson } from "@/lib/client/fetcher";
import { dateTime } from "@/components/ui/format";
import { button, FormError, input, Panel, subtle } from "./panel";
import { useAction } from "./use-action";

interface TokenRow {
  id: number;
  name: string;
  scope: "read" | "admin";
  createdBy: string;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  ownerName: string | null;
  ownerRole: "admin" | "viewer" | null;
}

export function TokensPanel({ tokens }: { tokens: TokenRow[] }) {
  const { run, error, busy } = useAction();
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  return (
    <Panel title="API tokens" description="For scripts: send as Authorization: Bearer <token>. Read tokens see; admin tokens can reset. A token never does more than its owner may do now, and dies with its owner.">
      {secret && (
        <div role="status" className="mb-3 rounded-lg bg-amber-50 p-3 text-sm ring-1 ring-amber-300">
          <p className="font-semibold">Token “{secret.name}” — copy it now, it is not shown again:</p>
          <code className="mt-1 block break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-amber-200">{secret.token}</code>
        </div>
      )}
      <div className="mb-4 overflow-x-auto">
        <table className="w-full text-left text-sm">
          <thead className="text-xs uppercase text-slate-500">
            <tr>
              <th className="py-1">Name</th>
              <th className="py-1">Scope</th>
              <th className="py-1">Created</th>
              <th className="py-1">Last used</th>
              <th className="py-1 text-right">State</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {tokens.length === 0 && (
              <tr>
                <td colSpan={5} className="py-2 text-slate-500">
                  No tokens yet.
                </td>
              </tr>
            )}
            {tokens.map((t) => (
              <tr key={t.id} className={t.revokedAt ? "text-slate-400" : ""}>
                <td className="py-1.5 font-medium">{t.name}</td>
                <td className="py-1.5">
                  {t.scope}
                  {!t.revokedAt && t.scope === "admin" && t.ownerRole === "viewer" && (
                    <span className="block text-xs text-amber-800">reads only: {t.ownerName} is a viewer</span>
                  )}
                </td>
                <td className="py-1.5 whitespace-nowrap">
                  {dateTime(t.createdAt)} <span className="text-slate-400">by {t.createdBy}</span>
                  {t.ownerName && t.ownerName !== t.createdBy && <span className="text-slate-400"> for {t.ownerName}</span>}
                </td>
                <td className="py-1.5 whitespace-nowrap">{t.lastUsedAt ? dateTime(t.lastUsedAt) : "never"}</td>
                <td className="py-1.5 text-right">
                  {t.revokedAt ? (
                    "revoked"
                  ) : (
                    <button type="button" className={subtle} disabled={busy} aria-label={`Revoke token ${t.name}`}
                      onClick={() => run(() => requestJson("DELETE", `/api/tokens/${t.id}`))}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <form
        className="grid gap-2 sm:grid-cols-[1fr_auto_auto] sm:items-end"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const r = await run(() => requestJson<{ token: string; info: TokenRow }>("POST", "/api/tokens", { name: f.get("name"), scope: f.get("scope") }));
          if (r) {
            setSecret({ name: r.info.name, token: r.token });
            form.reset();
          }
        }}
      >
        <label className="text-sm font-medium">
          Token name
          <input name="name" required className={input} />
        </label>
        <label className="text-sm font-medium">
          Scope
          <select name="scope" defaultValue="read" className={input}>
            <option value="read">read</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" disabled={busy} className={button}>
          Create token
        </button>
      </form>
      <FormError error={error} />
    </Panel>
  );
}
