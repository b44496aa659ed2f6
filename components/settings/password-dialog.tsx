"use client";

import { requestJson } from "@/lib/client/fetcher";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from "@/lib/constants";
import { FormDialog } from "./form-dialog";
import { input } from "./panel";

interface Props {
  /** The user whose password is set; null keeps the dialog closed. */
  user: { id: number; username: string } | null;
  /** The logged-in admin's id: changing one's own password ends this session too. */
  me: number;
  /** That user's live API tokens: the checkbox says how many it would revoke. */
  liveTokens: number;
  onClose(): void;
}

/** What is wrong with the two fields, said before anything is sent; null when they can be. */
export function passwordProblem(f: FormData): string | null {
  const password = String(f.get("password") ?? "");
  if (password.length < PASSWORD_MIN_LENGTH) return `The password needs at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (password !== String(f.get("confirm") ?? "")) return "The two passwords differ: type the same password twice.";
  return null;
}

/**
 * New password for a user (PATCH /api/users/{id} { password, revokeTokens? }), with the choice to
 * revoke that user's API tokens too. Too short a password, or a confirmation that differs, is said inside the dialog before anything
 * is sent; the server's refusal likewise; the dialog closes only once the password is set.
 */
export function PasswordDialog({ user, me, liveTokens, onClose }: Props) {
  const self = user?.id === me;
  return (
    <FormDialog
      open={user !== null}
      title={`New password for ${user?.username ?? ""}`}
      submitLabel="Set password"
      onClose={onClose}
      validate={passwordProblem}
      onSubmit={(f) =>
        requestJson("PATCH", `/api/users/${user!.id}`, {
          password: String(f.get("password")),
          ...(f.get("revokeTokens") === "on" ? { revokeTokens: true } : {}),
        })
      }
    >
      {/* For password managers: whose password this is. */}
      <input type="text" name="username" autoComplete="username" value={user?.username ?? ""} readOnly hidden />
      <label className="block text-sm font-medium">
        New password
        <input
          name="password"
          type="password"
          required
          minLength={PASSWORD_MIN_LENGTH}
          maxLength={PASSWORD_MAX_LENGTH}
          autoComplete="new-password"
          // biome-ignore lint/a11y/noAutofocus: a dialog opened to type a password starts in its field
          autoFocus
          aria-describedby="new-password-hint"
          className={input}
        />
      </label>
      <label className="block text-sm font-medium">
        Confirm new password
        <input name="confirm" type="password" required maxLength={PASSWORD_MAX_LENGTH} autoComplete="new-password" className={input} />
      </label>
      <p id="new-password-hint" className="text-xs text-slate-500">
        At least {PASSWORD_MIN_LENGTH} characters.{" "}
        {self
          ? "All your sessions end, this one included: log in again with the new password."
          : "All of their sessions end: they log in again with the new password."}
      </p>
      <label className="flex items-start gap-2 text-sm">
        <input name="revokeTokens" type="checkbox" className="mt-0.5" />
        <span>
          Also revoke {self ? "your" : `${user?.username ?? ""}'s`} API tokens{" "}
          <span className="text-slate-500">({liveTokens === 0 ? "none active" : `${liveTokens} active`}; scripts using them stop working)</span>
        </span>
      </label>
    </FormDialog>
  );
}
