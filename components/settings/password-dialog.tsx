"use client";

import { useEffect, useRef } from "react";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/constants";
import { button, input, subtle } from "./panel";

interface Props {
  /** The user whose password is set; null keeps the dialog closed. */
  user: { id: number; username: string } | null;
  /** That user's live API tokens: the checkbox says how many it would revoke. */
  liveTokens: number;
  busy: boolean;
  onCancel(): void;
  onSave(password: string, revokeTokens: boolean): void;
}

/** New password for a user, with the choice to revoke that user's API tokens too. */
export function PasswordDialog({ user, liveTokens, busy, onCancel, onSave }: Props) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (user && !d.open) d.showModal();
    if (!user && d.open) d.close();
  }, [user]);

  return (
    <dialog
      ref={ref}
      aria-labelledby="password-dialog-title"
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
      className="m-auto w-[min(28rem,calc(100vw-2rem))] rounded-xl p-0 shadow-xl"
    >
      {user && (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            onSave(String(f.get("password")), f.get("revokeTokens") === "on");
          }}
        >
          <div className="space-y-3 p-5">
            <h2 id="password-dialog-title" className="text-lg font-semibold">
              New password for {user.username}
            </h2>
            <label className="block text-sm font-medium">
              Password (at least {PASSWORD_MIN_LENGTH} characters)
              <input name="password" type="password" required minLength={PASSWORD_MIN_LENGTH} maxLength={PASSWORD_MAX_LENGTH} autoComplete="new-password" autoFocus className={input} />
            </label>
            <p className="text-sm text-slate-600">All of {user.username}&apos;s sessions end.</p>
            <label className="flex items-start gap-2 text-sm">
              <input name="revokeTokens" type="checkbox" className="mt-0.5" />
              <span>
                Also revoke {user.username}&apos;s API tokens{" "}
                <span className="text-slate-500">
                  ({liveTokens === 0 ? "none active" : `${liveTokens} active`}; scripts using them stop working)
                </span>
              </span>
            </label>
          </div>
          <div className="flex justify-end gap-2 border-t border-slate-100 bg-slate-50 px-5 py-3">
            <button type="button" onClick={onCancel} className={subtle}>
              Cancel
            </button>
            <button type="submit" disabled={busy} className={button}>
              Set password
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
