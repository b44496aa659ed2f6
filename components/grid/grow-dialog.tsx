"use client";

import type { MachinesView, MachineView } from "@/lib/status/machines-view";
import { postJson } from "@/lib/client/fetcher";
import { FormDialog } from "@/components/settings/form-dialog";
import { input } from "@/components/settings/panel";

const MiB = 1024 * 1024;

/** The size auto-extend would pick next (its percent, else 20 %), within the PC's maximum. */
export function suggestedSize(m: Pick<MachineView, "totalSectors" | "growth">, percent: number): number {
  const now = Math.round((m.totalSectors ?? 0) / 2048);
  return Math.min(m.growth.maxCowSizeMiB, Math.max(now + 1, Math.ceil(now * (1 + percent / 100))));
}

/**
 * Grow a PC's COW now, while it runs: the new size (up to its maximum), with what the store has
 * free and keeps in reserve. A refusal (the reserve, the maximum) shows inside, and nothing changes.
 */
export function GrowDialog({
  m: pc,
  view,
  onClose,
  onDone,
  disk = "system",
}: {
  m: MachineView | null;
  view: MachinesView;
  onClose(): void;
  onDone(): void;
  /** "game": its game disk's COW. */
  disk?: "system" | "game";
}) {
  const game = disk === "game";
  // The disk grown: the PC's system disk's numbers, or its game disk's.
  const m = pc && (game ? (pc.game ? { ...pc.game, id: pc.id, name: pc.name, host: pc.host } : null) : pc);
  const now = m ? Math.round((m.totalSectors ?? 0) / 2048) : 0;
  const store = m ? view.hosts.find((h) => h.name === m.host)?.stores[0] : undefined;
  return (
    <FormDialog
      open={!!m}
      title={m ? `Grow ${m.name}'s ${game ? "game disk COW" : "COW"}` : "Grow"}
      submitLabel="Grow now"
      onClose={onClose}
      validate={(f) => {
        const v = Number(f.get("mib"));
        if (!Number.isInteger(v)) return "Give the new size in whole MiB";
        if (v <= now) return `The new size must be larger than the current ${now} MiB`;
        if (m && v > m.growth.maxCowSizeMiB) return `At most ${m.growth.maxCowSizeMiB} MiB (its maxCowSizeMiB)`;
        return null;
      }}
      onSubmit={async (f) => {
        await postJson(`/api/machines/${m!.id}/grow`, { mib: Number(f.get("mib")), ...(game ? { disk: "game" } : {}) });
        onDone();
      }}
    >
      {m && (
        <>
          <p className="text-sm text-slate-600">
            Now {now} MiB, {m.percent ?? "–"} % used{m.growth.mibPerMin !== null ? `, filling at ${m.growth.mibPerMin.toFixed(1)} MiB/min` : ""}. It grows while
            it runs; its next reset takes it back to {m.growth.cowSizeMiB} MiB.
          </p>
          <label className="block text-sm font-medium">
            New size (MiB)
            <input
              name="mib"
              type="number"
              inputMode="numeric"
              min={now + 1}
              max={m.growth.maxCowSizeMiB}
              step={1}
              defaultValue={suggestedSize(m, view.autoextend?.percent ?? 20)}
              className={input}
            />
          </label>
          <p className="text-xs text-slate-500">
            At most {m.growth.maxCowSizeMiB} MiB.
            {store && ` ${Math.floor(store.freeBytes / MiB)} MiB free on ${store.dir}, ${Math.floor(store.reserveBytes / MiB)} MiB of it kept in reserve.`}
          </p>
        </>
      )}
    </FormDialog>
  );
}
