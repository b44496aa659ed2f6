"use client";

import { useState } from "react";
import useSWR from "swr";
import { ApiError, fetcher, requestJson } from "@/lib/client/fetcher";
import type { HostImagesView, ImagesView } from "@/lib/images/image-service";
import { IMAGE_COMMENT_MAX } from "@/lib/constants";
import { cn } from "@/components/ui/cn";
import { LocalTime } from "@/components/ui/local-time";
import { DataTable, type Column } from "@/components/ui/data-table";
import { FormError, Panel, button, input, subtle } from "@/components/settings/panel";
import { useAction } from "@/components/settings/use-action";
import { ConfirmDialog, type ConfirmAsk } from "@/components/ui/confirm-dialog";
import { isUp } from "@/components/grid/confirm-reset-dialog";
import type { MachinesView } from "@/lib/status/machines-view";

type Machine = { id: number; name: string; host: string; group: string };
/** What the page must name: the storage host and the PC group, each only when there is more than one. */
type Several = { hosts: boolean; groups: boolean };
type Version = HostImagesView["versions"][number];
type LogRow = ImagesView["log"][number];

const gib = (b: number) => (b >= 1 << 30 ? `${(b / (1 << 30)).toFixed(1)} GiB` : `${Math.round(b / (1 << 20))} MiB`);

/** The master image versions of every storage host, its update draft, and the log of image steps. */
export function ImagesPanel({ initial, machines, now }: { initial: ImagesView; machines: Machine[]; now: number }) {
  const { data, mutate } = useSWR<ImagesView>("/api/images", fetcher, { fallbackData: initial, refreshInterval: 1500 });
  const view = data ?? initial;
  const several: Several = { hosts: new Set(view.hosts.map((h) => h.host)).size > 1, groups: new Set(view.hosts.map((h) => h.group)).size > 1 };
  return (
    <>
      {view.hosts.map((h) => (
        <HostImages
          key={`${h.host}/${h.group}/${h.disk}`}
          h={h}
          several={several}
          machines={machines.filter((m) => m.host === h.host && m.group === h.group)}
          now={now}
          refresh={() => void mutate()}
        />
      ))}
      <ImageLog log={view.log} now={now} several={several.hosts} />
    </>
  );
}

/** "Versions", "Retro PCs", "Retro PCs on storage host a"; a game disk's: "Retro PCs — game disk". */
function sectionTitle(h: HostImagesView, several: Several): string {
  const where = several.hosts ? ` on storage host ${h.host}` : "";
  if (h.disk === "game") return `${h.groupLabel} — game disk${where}`;
  return several.groups ? `${h.groupLabel}${where}` : several.hosts ? `Storage host ${h.host}` : "Versions";
}

function HostImages({ h, several, machines, now, refresh }: { h: HostImagesView; several: Several; machines: Machine[]; now: number; refresh: () => void }) {
  const { run, error, busy } = useAction(refresh);
  const [ask, setAsk] = useState<ConfirmAsk | null>(null);
  // What each request names: the host and the group, where there is more than one of each, and the game disk.
  const host = {
    ...(several.hosts ? { host: h.host } : {}),
    ...(several.groups ? { group: h.group } : {}),
    ...(h.disk === "game" ? { disk: "game" as const } : {}),
  };
  const q = new URLSearchParams(host).toString() ? `?${new URLSearchParams(host).toString()}` : "";
  const title = sectionTitle(h, several);
  const columns: Column<Version>[] = [
    {
      label: "Version",
      className: "whitespace-nowrap font-mono font-semibold",
      cell: (v) => (
        <>
          v{v.n}
          {v.current && (
            <span className="ml-2 rounded bg-emerald-100 px-1.5 py-0.5 font-sans text-xs font-semibold text-emerald-800 ring-1 ring-emerald-300">current</span>
          )}
        </>
      ),
    },
    { label: "Created", className: "whitespace-nowrap", cell: (v) => <LocalTime at={v.createdAt} now={now} className="md:flex-col" /> },
    { label: "Size", className: "whitespace-nowrap", cell: (v) => gib(v.sizeBytes) },
    {
      label: "PCs on it",
      cell: (v) => (
        <>
          {v.machines.length ? `${v.machines.length} (${v.machines.join(", ")})` : "none"}
          {v.attached && !v.current && v.machines.length > 0 && <span className="block text-xs text-slate-500">attached while they use it</span>}
        </>
      ),
    },
    {
      label: "Comment",
      className: "max-w-xs",
      cell: (v) => (
        <>
          {v.comment ?? <span className="text-slate-400">–</span>}
          {v.author && <span className="block text-xs text-slate-500">by {v.author}</span>}
        </>
      ),
    },
    {
      label: "Actions",
      right: true,
      // The current version has no actions: on a phone its empty line is not shown.
      className: (v) => cn("md:text-right", v.current && "max-md:hidden"),
      cell: (v) =>
        !v.current && (
          <span className="inline-flex flex-wrap gap-2 md:justify-end">
            <button
              type="button"
              className={subtle}
              disabled={busy || !!h.busy}
              onClick={() => void run(() => requestJson("POST", "/api/images/current", { ...host, version: v.n }))}
            >
              {v.n < (h.current ?? 0) ? "Roll back to" : "Make current"} v{v.n}
            </button>
            <button
              type="button"
              className={cn(subtle, "text-red-700 ring-red-200 hover:bg-red-50")}
              disabled={busy || !!h.busy}
              title={v.machines.length ? `PCs ${v.machines.join(", ")} sit on it: they move off it at their next reset` : undefined}
              onClick={() =>
                setAsk({
                  title: `Delete v${v.n} for good?`,
                  body: <p>Its file is removed from the storage host.</p>,
                  confirmLabel: `Delete v${v.n}`,
                  run: () => void run(() => requestJson("DELETE", `/api/images/versions/${v.n}${q}`)),
                })
              }
            >
              Delete
            </button>
          </span>
        ),
    },
  ];
  return (
    <Panel
      title={title}
      description={
        h.current !== null
          ? `${h.disk === "game" ? "The game library every PC of the group sees as its second disk. " : ""}v${h.current} is current: PCs move to it at their next reset${h.disk === "game" ? " (of the game disk)" : ""}. ${h.keep} versions are kept; older ones go once no PC sits on them.`
          : undefined
      }
    >
      {h.error && (
        <p role="alert" className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200">
          {h.error}
        </p>
      )}
      <div className="space-y-4">
        {h.draft ? <DraftCard h={h} host={host} refresh={refresh} /> : h.current !== null && <StartUpdate h={h} machines={machines} refresh={refresh} />}
        {h.versions.length > 0 && (
          <DataTable
            columns={columns}
            rows={[...h.versions].reverse()}
            rowKey={(v) => v.n}
            row={(v) => ({ "aria-label": `v${v.n}`, className: cn(v.current && "bg-emerald-50/60") })}
          />
        )}
      </div>
      <FormError error={error} />
      <ConfirmDialog ask={ask} onClose={() => setAsk(null)} />
    </Panel>
  );
}

/**
 * Update mode on a PC that is up means restarting it into the draft: the form says so as soon as
 * that PC is chosen, and starting asks first (the server refuses it unforced: 409 machine-online,
 * asked the same way when the PC came up after the form last looked).
 */
function StartUpdate({ h, machines, refresh }: { h: HostImagesView; machines: Machine[]; refresh: () => void }) {
  const { run, error, busy } = useAction(refresh);
  const game = h.disk === "game";
  const [machine, setMachine] = useState<number>(machines[0]?.id ?? 0);
  const [comment, setComment] = useState("");
  const [ask, setAsk] = useState<ConfirmAsk | null>(null);
  const { data: room } = useSWR<MachinesView>("/api/machines", fetcher, { refreshInterval: 5000, keepPreviousData: true });
  const chosen = room?.machines.find((m) => m.id === machine);
  const up = chosen ? isUp(chosen) : false;
  const name = machines.find((m) => m.id === machine)?.name ?? `PC ${machine}`;
  const forceAsk = (why: string): ConfirmAsk => ({
    title: `Force update mode on ${name}?`,
    body: (
      <>
        <p>{why}</p>
        <p className="font-medium text-red-800">
          Its own disk is not touched, but the update is made by restarting {name} into the draft: anything unsaved there is lost. Shutting it down first is
          safe.
        </p>
      </>
    ),
    confirmLabel: "Force update mode",
    run: () => start(true),
  });
  const start = (force: boolean) =>
    void run(async () => {
      try {
        return await requestJson("POST", "/api/images/update", {
          machine,
          ...(comment.trim() ? { comment } : {}),
          ...(force ? { force: true } : {}),
          ...(h.disk === "game" ? { disk: "game" } : {}),
        });
      } catch (e) {
        if (force || !(e instanceof ApiError && e.code === "machine-online")) throw e;
        setAsk(forceAsk(e.message));
        return undefined;
      }
    }).then((r) => r !== undefined && setComment(""));
  return (
    <form
      aria-label={game ? "Start a game disk update" : "Start an update"}
      className="rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200"
      onSubmit={(e) => {
        e.preventDefault();
        if (up) setAsk(forceAsk(`${name} is ${chosen!.boot.state === "booting" ? "booting" : "running"} right now.`));
        else start(false);
      }}
    >
      <h3 className="text-sm font-semibold">{game ? "Start a game disk update" : "Start an update"}</h3>
      {game ? (
        <p className="mb-2 text-sm text-slate-600">
          Copies game disk v{h.current} into the next version. The PC you pick boots its own system disk as usual, with that copy as its game disk, read-write
          (only that PC can reach it): install or patch the games there. Shut the PC down first.
        </p>
      ) : (
        <p className="mb-2 text-sm text-slate-600">
          Copies v{h.current} into the next version and lets one PC boot that copy read-write (only that PC can reach it). Shut the PC down first; its own disk
          is left as it is.
        </p>
      )}
      <div className="flex flex-wrap items-end gap-3">
        <label className="text-sm">
          PC
          <select className={cn(input, "w-40")} value={machine} onChange={(e) => setMachine(Number(e.target.value))}>
            {machines.map((m) => (
              <option key={m.id} value={m.id}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
        <label className="min-w-48 flex-1 text-sm">
          What it is for (optional)
          <input
            className={input}
            value={comment}
            maxLength={IMAGE_COMMENT_MAX}
            placeholder="e.g. Windows updates, new game patch"
            onChange={(e) => setComment(e.target.value)}
          />
        </label>
        <button type="submit" className={button} disabled={busy || !!h.busy || !machine}>
          {busy ? "Starting…" : game ? `Start update on ${name}` : "Start update"}
        </button>
      </div>
      {up && (
        <p role="alert" className="mt-2 rounded-md bg-red-50 px-3 py-2 text-sm text-red-900 ring-1 ring-red-300">
          <strong>
            {name} is {chosen!.boot.state === "booting" ? "booting" : "running"} right now.
          </strong>{" "}
          {game
            ? "Shut it down first: it gets the draft as its game disk when it boots again (its own disks are not touched, but what it has not saved is lost)."
            : "Shut it down first: the update is made by restarting it into the draft (its own disk is not touched, but what it has not saved is lost)."}
        </p>
      )}
      <FormError error={error} />
      <ConfirmDialog ask={ask} onClose={() => setAsk(null)} />
    </form>
  );
}

function DraftCard({ h, host, refresh }: { h: HostImagesView; host: { host?: string; disk?: "game" }; refresh: () => void }) {
  const d = h.draft!;
  const { run, error, busy } = useAction(refresh);
  const [comment, setComment] = useState<string | null>(null);
  const [ask, setAsk] = useState<ConfirmAsk | null>(null);
  const pct = Math.floor((100 * d.copiedBytes) / Math.max(1, d.totalBytes));
  return (
    <section aria-label={`${h.disk === "game" ? "Game disk draft" : "Draft"} v${d.n}`} className="rounded-lg bg-amber-50 p-3 ring-1 ring-amber-300">
      <h3 className="text-sm font-semibold text-amber-950">
        {h.disk === "game" ? "Game disk update" : "Update"} in progress: draft v{d.n} on <span className="font-mono">{d.machineName}</span>
      </h3>
      {d.state === "copying" ? (
        <div className="mt-2">
          <p className="text-sm text-amber-950">
            Copying v{h.current}: {pct}% ({gib(d.copiedBytes)} of {gib(d.totalBytes)})
          </p>
          <div
            role="progressbar"
            aria-label={`Copy of v${d.n}`}
            aria-valuenow={pct}
            aria-valuemin={0}
            aria-valuemax={100}
            className="mt-1 h-2 overflow-hidden rounded bg-amber-100"
          >
            <div className="h-full bg-amber-500 transition-[width]" style={{ width: `${pct}%` }} />
          </div>
        </div>
      ) : (
        <div className="mt-1 space-y-1 text-sm text-amber-950">
          {h.disk === "game" ? (
            <p>
              Ready{d.method === "reflink" ? " (blocks shared with v" + h.current + ": it took no space yet)" : ""}. Boot <strong>{d.machineName}</strong>: it
              starts its own system disk with this draft as its game disk, read-write. Install or patch the games, shut it down, then publish.
            </p>
          ) : (
            <p>
              Ready{d.method === "reflink" ? " (blocks shared with v" + h.current + ": it took no space yet)" : ""}. Boot <strong>{d.machineName}</strong>: its
              boot script starts the draft read-write. Install the updates, shut it down, then publish.
            </p>
          )}
          {d.online && (
            <p role="status" className="font-medium text-amber-900">
              {d.machineName} is running the draft now: shut it down before publishing or discarding.
            </p>
          )}
        </div>
      )}
      <form
        className="mt-3 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          const c = (comment ?? d.comment ?? "").trim();
          void run(() => requestJson("POST", "/api/images/publish", { ...host, ...(c ? { comment: c } : {}) }));
        }}
      >
        <label className="min-w-48 flex-1 text-sm">
          Comment for v{d.n}
          <input
            className={cn(input, "bg-white")}
            maxLength={IMAGE_COMMENT_MAX}
            value={comment ?? d.comment ?? ""}
            onChange={(e) => setComment(e.target.value)}
            placeholder="what changed"
          />
        </label>
        <button type="submit" className={button} disabled={busy || d.state !== "ready" || d.online || !!h.busy}>
          Publish v{d.n}
        </button>
        <button
          type="button"
          className={cn(subtle, "bg-white text-red-700 ring-red-200 hover:bg-red-50")}
          disabled={busy || (d.state === "ready" && d.online)}
          onClick={() =>
            setAsk({
              title: `Discard the draft of v${d.n}?`,
              body: <p>Everything installed on it is lost. v{h.current} stays current.</p>,
              confirmLabel: "Discard the draft",
              run: () => void run(() => requestJson("POST", "/api/images/discard", host)),
            })
          }
        >
          Discard
        </button>
      </form>
      <FormError error={error} />
      <ConfirmDialog ask={ask} onClose={() => setAsk(null)} />
    </section>
  );
}

const RESULT_STYLE: Record<string, string> = {
  ok: "bg-emerald-50 text-emerald-800 ring-emerald-200",
  running: "bg-sky-50 text-sky-800 ring-sky-200",
  refused: "bg-amber-50 text-amber-900 ring-amber-200",
  failed: "bg-red-50 text-red-800 ring-red-200",
  interrupted: "bg-red-50 text-red-800 ring-red-200",
};

const logColumns = (now: number, several: boolean): Column<LogRow>[] => [
  { label: "When", className: "whitespace-nowrap", cell: (l) => <LocalTime at={l.startedAt} now={now} className="md:flex-col" /> },
  ...(several ? [{ label: "Host", cell: (l: LogRow) => l.host }] : []),
  {
    label: "Step",
    cell: (l) => (
      <>
        {l.action === "current" ? "make current" : l.action}
        {l.disk === "game" && <span className="block text-xs text-slate-500">game disk</span>}
      </>
    ),
  },
  { label: "Version", className: "font-mono", cell: (l) => (l.n !== null ? `v${l.n}` : "–") },
  { label: "Who", cell: (l) => l.actor ?? "–" },
  { label: "Result", cell: (l) => <span className={cn("rounded px-1.5 py-0.5 text-xs font-semibold ring-1", RESULT_STYLE[l.result])}>{l.result}</span> },
  { label: "Comment or error", className: (l) => cn("max-w-md", l.error && "text-red-800"), cell: (l) => l.error ?? l.comment ?? "–" },
];

function ImageLog({ log, now, several }: { log: ImagesView["log"]; now: number; several: boolean }) {
  return (
    <section aria-label="Image steps" className="space-y-2">
      <h2 className="text-base font-semibold">Image steps</h2>
      <DataTable columns={logColumns(now, several)} rows={log} rowKey={(l) => l.id} empty="No image steps yet." />
    </section>
  );
}
