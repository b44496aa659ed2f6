import { runtime } from "@cowherd/core";
import { requireAdmin } from "@/lib/next/current-user";
import { UsersPanel } from "@/components/settings/users-panel";
import { TokensPanel } from "@/components/settings/tokens-panel";
import { SessionsPanel } from "@/components/settings/sessions-panel";

export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const me = await requireAdmin();
  const rt = await runtime();
  const tokens = rt.tokens.list();
  const liveTokens: Record<number, number> = {};
  for (const t of tokens) if (t.ownerId !== null && t.revokedAt === null) liveTokens[t.ownerId] = (liveTokens[t.ownerId] ?? 0) + 1;
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      <UsersPanel users={rt.users.list()} me={me.id} liveTokens={liveTokens} />
      <TokensPanel tokens={tokens} />
      <SessionsPanel />
    </div>
  );
}
