"use client";

import { useState } from "react";
import { requestJson } from "@/lib/client/fetcher";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/constants";
import { LocalTime } from "@/components/ui/local-time";
import { DataTable, type Column } from "@/components/ui/data-table";
import { ConfirmDialog, type ConfirmAsk } from "@/components/ui/confirm-dialog";
import { button, FormError, input, Panel, subtle } from "./panel";
import { useAction } from "./use-action";
import { PasswordDialog } from "./password-dialog";

interface UserRow {
  id: number;
  username: string;
  role: "admin" | "viewer";
  createdAt: number;
}

/** `liveTokens`: live API tokens per owner id, for the password dialog's "also revoke" choice. */
export function UsersPanel({ users, me, now, liveTokens }: { users: UserRow[]; me: number; now: number; liveTokens: Record<number, number> }) {
  const { run, error, busy } = useAction();
  const [passwordFor, setPasswordFor] = useState<UserRow | null>(null);
  const [ask, setAsk] = useState<ConfirmAsk | null>(null);
  const admins = users.filter((u) => u.role === "admin").length;
  // The server refuses to leave the room without an admin: do not offer it.
  const onlyAdmin = (u: UserRow) => u.role === "admin" && admins === 1;
  const columns: Column<UserRow>[] = [
    {
      label: "User",
      className: "font-medium",
      cell: (u) => (
        <>
          {u.username}
          {u.id === me && <span className="text-slate-400"> (you)</span>}
        </>
      ),
    },
    {
      label: "Role",
      cell: (u) => (
        <>
          <select
            aria-label={`Role of ${u.username}`}
            value={u.role}
            disabled={busy || onlyAdmin(u)}
            title={onlyAdmin(u) ? "The only admin stays an admin: make another user admin first" : undefined}
            onChange={(e) => run(() => requestJson("PATCH", `/api/users/${u.id}`, { role: e.target.value }))}
            className="rounded border border-slate-300 px-1 py-0.5 disabled:opacity-70"
          >
            <option value="admin">admin</option>
            <option value="viewer">viewer</option>
          </select>
          {onlyAdmin(u) && <span className="ml-2 text-xs text-slate-500">only admin</span>}
        </>
      ),
    },
    { label: "Created", className: "text-slate-500", cell: (u) => <LocalTime at={u.createdAt} now={now} className="md:flex-col" /> },
    {
      label: "Actions",
      right: true,
      className: "text-right whitespace-nowrap",
      cell: (u) => (
        <span className="inline-flex flex-wrap justify-end gap-2 max-md:justify-start">
          <button type="button" className={subtle} disabled={busy} aria-label={`Set password of ${u.username}`} onClick={() => setPasswordFor(u)}>
            Password…
          </button>
          {!onlyAdmin(u) && (
            <button
              type="button"
              className={subtle}
              disabled={busy}
              aria-label={`Delete ${u.username}`}
              onClick={() =>
                setAsk({
                  title: `Delete user ${u.username}?`,
                  body: <p>{u.username} can no longer sign in; their sessions end and their API tokens stop working.</p>,
                  confirmLabel: `Delete ${u.username}`,
                  run: () => void run(() => requestJson("DELETE", `/api/users/${u.id}`)),
                })
              }
            >
              Delete
            </button>
          )}
        </span>
      ),
    },
  ];
  return (
    <Panel title="Users" description="Admins reset PCs and manage users and tokens; viewers see the grid and the history.">
      <DataTable frame="bare" className="mb-4" columns={columns} rows={users} rowKey={(u) => u.id} />
      <PasswordDialog user={passwordFor} me={me} liveTokens={passwordFor ? (liveTokens[passwordFor.id] ?? 0) : 0} onClose={() => setPasswordFor(null)} />
      <form
        className="grid gap-2 sm:grid-cols-[1fr_1fr_auto_auto] sm:items-end"
        onSubmit={async (e) => {
          e.preventDefault();
          const form = e.currentTarget;
          const f = new FormData(form);
          const ok = await run(() => requestJson("POST", "/api/users", { username: f.get("username"), password: f.get("password"), role: f.get("role") }));
          if (ok) form.reset();
        }}
      >
        <label className="text-sm font-medium">
          New user name
          <input name="username" required className={input} />
        </label>
        <label className="text-sm font-medium">
          Password
          <input
            name="password"
            type="password"
            required
            minLength={PASSWORD_MIN_LENGTH}
            maxLength={PASSWORD_MAX_LENGTH}
            autoComplete="new-password"
            className={input}
          />
        </label>
        <label className="text-sm font-medium">
          Role
          <select name="role" defaultValue="viewer" className={input}>
            <option value="viewer">viewer</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <button type="submit" disabled={busy} className={button}>
          Add user
        </button>
      </form>
      <FormError error={error} />
      <ConfirmDialog ask={ask} onClose={() => setAsk(null)} />
    </Panel>
  );
}
