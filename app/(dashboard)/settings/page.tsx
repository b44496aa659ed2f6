import { runtime } from "@cowherd/core";
import { requireAdmin } from "@/lib/next/current-user";
import { UsersPanel } from "@/components/settings/users-panel";
import { TokensPanel } from "@/components/settings/tokens-panel";
import { SessionsPanel } from "@/components/settings/sessions-panel";

export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const me = await requireAdmin();
  const rt = await runtime();
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      <UsersPanel users={rt.users.list()} me={me.id} />
      <TokensPanel tokens={rt.tokens.list()} />
      <SessionsPanel />
    </div>
  );
}
