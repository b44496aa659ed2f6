"use client";

import { useState } from "react";
import { requestJson } from "@/lib/client/fetcher";
import { dateTime } from "@/components/ui/format";
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
export function UsersPanel({ users, me, liveTokens }: { users: UserRow[]; me: number; liveTokens: Record<number, number> }) {
  const { run, error, busy } = useAction();
  const [passwordFor, setPasswordFor] = useState<UserRow | null>(null);
  return (
    <Panel title="Users" description="Admins reset PCs and manage users and tokens; viewers see the grid and the history.">
      <table className="mb-4 w-full text-left text-sm">
        <thead className="text-xs uppercase text-slate-500">
          <tr>
            <th className="py-1">User</th>
            <th className="py-1">Role</th>
            <th className="py-1">Created</th>
            <th className="py-1 text-right">Actions</th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {users.map((u) => (
            <tr key={u.id}>
              <td className="py-1.5 font-medium">
                {u.username}
                {u.id === me && <span className="text-slate-400"> (you)</span>}
              </td>
              <td className="py-1.5">
                <select
                  aria-label={`Role of ${u.username}`}
                  value={u.role}
                  disabled={busy}
                  onChange={(e) => run(() => requestJson("PATCH", `/api/users/${u.id}`, { role: e.target.value }))}
                  className="rounded border border-slate-300 px-1 py-0.5"
                >
                  <option value="admin">admin</option>
                  <option value="viewer">viewer</option>
                </select>
              </td>
              <td className="py-1.5 text-slate-500">{dateTime(u.createdAt)}</td>
              <td className="space-x-2 py-1.5 text-right">
                <button
                  type="button"
                  className={subtle}
                  disabled={busy}
                  aria-label={`Set password of ${u.username}`}
                  onClick={() => setPasswordFor(u)}
                >
                  Password…
                </button>
                <button
                  type="button"
                  className={subtle}
                  disabled={busy}
                  aria-label={`Delete ${u.username}`}
                  onClick={() => window.confirm(`Delete user ${u.username}?`) && run(() => requestJson("DELETE", `/api/users/${u.id}`))}
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
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
          <input name="password" type="password" required minLength={10} autoComplete="new-password" className={input} />
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
      <PasswordDialog
        user={passwordFor}
        liveTokens={passwordFor ? (liveTokens[passwordFor.id] ?? 0) : 0}
        busy={busy}
        onCancel={() => setPasswordFor(null)}
        onSave={async (password, revokeTokens) => {
          const id = passwordFor!.id;
          setPasswordFor(null);
          await run(() => requestJson("PATCH", `/api/users/${id}`, { password, ...(revokeTokens ? { revokeTokens } : {}) }));
        }}
      />
    </Panel>
  );
}
