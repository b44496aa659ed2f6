import Link from "next/link";
import { notFound } from "next/navigation";
import { runtime, type Runtime } from "@cowherd/core";
import { requireUser } from "@/lib/next/current-user";
import { machineIdParam } from "@/lib/validations/api";
import { MachinePanel } from "@/components/usage/machine-panel";
import { MachineUsageChart } from "@/components/usage/machine-usage-chart";
import { EventsTable } from "@/components/events/events-table";
import { HistoryTable } from "@/components/history/history-table";

export const dynamic = "force-dynamic";

/** The tab says which PC ("retro-05 · Cowherd"); only for a logged-in user, like the page itself. */
export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  await requireUser();
  const m = machineOf(await runtime(), (await params).id);
  return { title: `${m ? m.name : "No such PC"} · Cowherd` };
}

const machineOf = (rt: Runtime, id: string) => {
  const parsed = machineIdParam.safeParse(id);
  return parsed.success ? rt.config.machines.find((x) => x.id === parsed.data) : undefined;
};

/** One PC: its live card, its usage over time with resets and boots marked, its events and resets. */
export default async function MachinePage({ params }: { params: Promise<{ id: string }> }) {
  const user = await requireUser();
  const rt = await runtime();
  const m = machineOf(rt, (await params).id);
  if (!m) notFound();
  const now = Date.now();
  const view = await rt.machinesView();
  const events = rt.events.list({ machineId: m.id, page: 1, pageSize: 20 });
  const resets = rt.history.list({ machineId: m.id, page: 1, pageSize: 10 });
  return (
    <div className="space-y-5">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-500">
        <Link href="/" className="hover:underline">
          Dashboard
        </Link>{" "}
        / <span className="font-mono">{m.name}</span>
      </nav>
      <h1 className="sr-only">{m.name}</h1>
      <div className="grid gap-4 lg:grid-cols-[minmax(0,36rem)_1fr]">
        <MachinePanel initial={view} id={m.id} canReset={user.role === "admin"} />
        <section aria-label="Set-up" className="rounded-xl bg-white p-4 text-sm shadow-sm ring-1 ring-slate-200">
          <h2 className="mb-2 text-base font-semibold">Set-up</h2>
          <dl className="grid grid-cols-[9rem_minmax(0,1fr)] gap-x-3 gap-y-1">
            {[
              ["Address", m.ip],
              ["MAC", m.mac ?? "none (cannot be woken)"],
              ["Storage host", m.host],
              ["Device", `/dev/mapper/${m.dmName}`],
              ["COW", `${m.cowSizeMiB} MiB, grows up to ${m.maxCowSizeMiB} MiB`],
              ["Auto-extend", rt.config.autoextend.threshold < 100 ? `at ${rt.config.autoextend.threshold} %, by ${rt.config.autoextend.percent} %` : "off"],
              ["Mode, chunk", `${m.mode === "PO" ? "PO (writes fail when full)" : "P (Invalid when full)"}, ${m.chunkSectors / 2} KiB`],
              ["Levels", `warn ${m.warnPercent} %, danger ${m.dangerPercent} %`],
              ["Target", m.iqn],
              ...(m.game
                ? [
                    ["Game disk", `/dev/mapper/${m.game.dmName}, the target's second LUN`],
                    ["Game COW", `${m.game.cowSizeMiB} MiB, grows up to ${m.game.maxCowSizeMiB} MiB`],
                  ]
                : []),
            ].map(([k, v]) => (
              <div key={k} className="contents">
                <dt className="text-slate-500">{k}</dt>
                <dd className="min-w-0 break-words font-mono text-xs leading-5">{v}</dd>
              </div>
            ))}
          </dl>
        </section>
      </div>
      <MachineUsageChart id={m.id} name={m.name} />
      <section aria-label="Events of this PC" className="space-y-2">
        <h2 className="flex items-baseline justify-between text-base font-semibold">
          Events
          <Link href={`/events?machine=${m.id}`} className="text-sm font-normal text-slate-600 hover:underline">
            All events of {m.name}
          </Link>
        </h2>
        <EventsTable
          query={`machine=${m.id}&pageSize=20`}
          initial={{ events: events.rows, total: events.total, page: 1, pageSize: 20, open: {}, readAt: now }}
          showMachine={false}
        />
      </section>
      <section aria-label="Resets of this PC" className="space-y-2">
        <h2 className="flex items-baseline justify-between text-base font-semibold">
          Resets
          <Link href={`/history?machine=${m.id}`} className="text-sm font-normal text-slate-600 hover:underline">
            Whole history of {m.name}
          </Link>
        </h2>
        <HistoryTable rows={resets.rows} now={now} />
      </section>
    </div>
  );
}
