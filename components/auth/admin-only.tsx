import { WayBack } from "@/components/ui/way-back";
import type { User } from "@/lib/auth/users";

/** What a viewer sees on an admin page: why not, and where to go instead (never a silent redirect). */
export function AdminOnly({ what, user }: { what: string; user: Pick<User, "username" | "role"> }) {
  return (
    <div className="mx-auto max-w-lg space-y-3 rounded-xl bg-white p-6 shadow-sm ring-1 ring-slate-200">
      <h1 className="text-xl font-semibold">Only admins can open {what}</h1>
      <p role="alert" className="text-sm text-slate-700">
        You are logged in as <strong>{user.username}</strong>, a <strong>{user.role}</strong>: you can watch the grid and read the reset history, but {what}{" "}
        {what.endsWith("s") ? "are" : "is"} for admins only. Ask an admin if you need access.
      </p>
      <WayBack primary />
    </div>
  );
}
