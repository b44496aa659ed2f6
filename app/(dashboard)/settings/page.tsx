import { runtime, scheduleView } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { AdminOnly } from "@/components/auth/admin-only";
import { UsersPanel } from "@/components/settings/users-panel";
import { TokensPanel } from "@/components/settings/tokens-panel";
import { SessionsPanel } from "@/components/settings/sessions-panel";
import { AlertsPanel } from "@/components/settings/alerts-panel";
import { SchedulePanel } from "@/components/settings/schedule-panel";

export const dynamic = "force-dynamic";
export const metadata = { title: "Settings · Cowherd" };

export default async function SettingsPage() {
  const me = await requireUser();
  if (me.role !== "admin") return <AdminOnly what="the settings" user={me} />;
  const rt = await runtime();
  const now = Date.now();
  const tokens = rt.tokens.list();
  const liveTokens: Record<number, number> = {};
  for (const t of tokens) if (t.ownerId !== null && t.revokedAt === null) liveTokens[t.ownerId] = (liveTokens[t.ownerId] ?? 0) + 1;
  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Settings</h1>
      <UsersPanel users={rt.users.list()} me={me.id} liveTokens={liveTokens} now={now} />
      <TokensPanel tokens={tokens} now={now} />
      <SchedulePanel rules={scheduleView(rt.config.schedule, (rule) => rt.schedule.last(rule), now, rt.schedule.nextLook())} now={now} />
      <AlertsPanel targets={rt.alertTargets.list()} now={now} perMinute={rt.config.alerts.perMinute} />
      <SessionsPanel />
    </div>
  );
}
