"use client";

import { useState } from "react";
import { requestJson } from "@/lib/client/fetcher";
import { LocalTime } from "@/components/ui/local-time";
import { Cell, Head, stack } from "@/components/ui/stack-table";
import { button, FormError, input, Panel, subtle } from "./panel";
import { useAction } from "./use-action";
import { CopyableSecret } from "@/components/ui/copy-button";

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

export function TokensPanel({ tokens, now }: { tokens: TokenRow[]; now: number }) {
  const { run, error, busy } = useAction();
  const [secret, setSecret] = useState<{ name: string; token: string } | null>(null);
  return (
    <Panel
      title="API tokens"
      description="For scripts: send as Authorization: Bearer <token>. Read tokens see; admin tokens can reset. A token never does more than its owner may do now, and dies with its owner."
    >
      {secret && (
        <div role="status" className="mb-3 rounded-lg bg-amber-50 p-3 text-sm ring-1 ring-amber-300">
          <p className="font-semibold">Token “{secret.name}” — copy it now, it is not shown again:</p>
          <CopyableSecret key={secret.token} text={secret.token} label={`token ${secret.name}`} />
        </div>
      )}
      <div className="mb-4 max-md:-mx-4">
        <table className={stack.table}>
          <Head columns={["Name", "Scope", "Created", "Last used", "State"]} right={["State"]} />
          <tbody className={stack.tbody}>
            {tokens.length === 0 && (
              <tr className={stack.tr}>
                <td colSpan={5} className="px-3 py-2 text-slate-500 max-md:block max-md:p-0">
                  No tokens yet.
                </td>
              </tr>
            )}
            {tokens.map((t) => (
              <tr key={t.id} className={`${stack.tr} ${t.revokedAt ? "text-slate-400" : ""}`}>
                <Cell label="Name" className="font-medium">
                  {t.name}
                </Cell>
                <Cell label="Scope">
                  {t.scope}
                  {!t.revokedAt && t.scope === "admin" && t.ownerRole === "viewer" && (
                    <span className="block text-xs text-amber-800">reads only: {t.ownerName} is a viewer</span>
                  )}
                </Cell>
                <Cell label="Created">
                  <LocalTime at={t.createdAt} now={now} className="md:flex-col" /> <span className="text-slate-400">by {t.createdBy}</span>
                  {t.ownerName && t.ownerName !== t.createdBy && <span className="text-slate-400"> for {t.ownerName}</span>}
                </Cell>
                <Cell label="Last used">{t.lastUsedAt ? <LocalTime at={t.lastUsedAt} now={now} className="md:flex-col" /> : "never"}</Cell>
                <Cell label="State" className="text-right">
                  {t.revokedAt ? (
                    "revoked"
                  ) : (
                    <button
                      type="button"
                      className={subtle}
                      disabled={busy}
                      aria-label={`Revoke token ${t.name}`}
                      onClick={() => run(() => requestJson("DELETE", `/api/tokens/${t.id}`))}
                    >
                      Revoke
                    </button>
                  )}
                </Cell>
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
