"use client";

import { useState } from "react";
import type { DiskKind } from "@/lib/config/schema";
import type { MachineView } from "@/lib/status/machines-view";
import type { WhenOnline } from "@/lib/reset/requests";
import { mib } from "@/components/ui/format";
import { Modal, modalButton, modalCancel } from "@/components/ui/modal";
import { keptBy } from "./machine-parts";

interface Props {
  targets: MachineView[] | null;
  /** "event": every PC, before an event — the offline ones now, the running ones at their next boot. */
  event?: boolean;
  /** Sent as a bulk request (even of one PC): the server leaves kept PCs alone, so this dialog does too. */
  bulk?: boolean;
  /**
   * Before the event, in a room of several PC groups: which PCs, all or one group's (`group`, "" for
   * all); choosing one changes `targets`.
   */
  choice?: EventChoice;
  onCancel(): void;
  /** `disk`: one PC with a game disk, one of its disks only (absent: both). */
  onConfirm(whenOnline: WhenOnline, disk?: DiskKind): void;
}

/** What a single reset of a PC with a game disk resets. */
type DiskChoice = "both" | DiskKind;
const DISK_CHOICES: { value: DiskChoice; label: string; help: string }[] = [
  { value: "both", label: "Both disks", help: "system and game disk" },
  { value: "system", label: "System disk only", help: "the game disk keeps its changes" },
  { value: "game", label: "Game disk only", help: "the system disk keeps its changes" },
];

/** The groups "Reset all before the event" offers, with how many PCs each has, and the one chosen. */
export interface EventChoice {
  groups: { name: string; label: string; count: number }[];
  /** The room's PC count ("All PCs"). */
  total: number;
  group: string;
  onChoose(group: string): void;
}

/** The event dialog's title: all PCs, or the chosen group's, with the count. */
export function eventTitle(choice: EventChoice | undefined): string {
  if (!choice || choice.groups.length < 2) return "Reset all PCs before the event?";
  const g = choice.groups.find((x) => x.name === choice.group);
  return g ? `Reset ${g.count} PCs (${g.label}) before the event?` : `Reset all ${choice.total} PCs before the event?`;
}

/** Up: booting, or running from its disk (a reset now crashes it). */
export const isUp = (m: MachineView) => m.condition !== "unreachable" && m.boot.state !== "off";

/** Its disk is already lost (Invalid, or its COW overflowed): a reset now takes nothing more from it. */
export const diskLost = (m: MachineView) => m.state === "invalid" || m.state === "overflow";

/** Names, or for a big room the first dozen and how many more (a /24 would fill the screen). */
const names = (ms: MachineView[]) =>
  ms.length <= 15
    ? ms.map((m) => m.name).join(", ")
    : `${ms
        .slice(0, 12)
        .map((m) => m.name)
        .join(", ")} and ${ms.length - 12} more`;

/** What the reset throws away: the data of the PCs whose disk still works; the others' is gone already. */
function lossText(list: MachineView[], choice: DiskChoice = "both"): string {
  const one = list.length === 1 ? list[0]! : undefined;
  if (one?.game && choice === "game") {
    const g = one.game;
    if (g.state === "invalid" || g.state === "overflow")
      return `${one.name}'s game disk is already lost (${g.state === "overflow" ? "overflow" : "Invalid"}); the reset gives it a clean game disk. Its system disk is left as it is.`;
    return `Everything written to ${one.name}'s game disk since its last reset${g.usedSectors !== null ? ` (${mib(g.usedSectors)} MiB)` : ""} is thrown away: it gets the group's current game disk again. Its system disk is left as it is.`;
  }
  const working = list.filter((m) => !diskLost(m));
  const gone = list.filter(diskLost);
  const goneText = gone.length
    ? `${names(gone)}: ${gone.length === 1 ? "its disk is" : "their disks are"} already lost (${gone.length === 1 ? (gone[0]!.state === "overflow" ? "overflow" : "Invalid") : "Invalid or overflow"}); the reset gives ${gone.length === 1 ? "it a clean disk" : "them clean disks"}.`
    : "";
  if (!working.length) return goneText;
  const only = working.length === 1 ? working[0]! : undefined;
  const sectors = working.reduce((sum, m) => sum + (m.usedSectors ?? 0), 0);
  const both = only?.game && choice === "both";
  const lose = only
    ? `Everything written to ${only.name}'s ${both ? "system disk" : "disk"} since its last reset${only.usedSectors !== null ? ` (${mib(only.usedSectors)} MiB)` : ""}${both ? ` and to its game disk${only.game!.usedSectors !== null ? ` (${mib(only.game!.usedSectors)} MiB)` : ""}` : ""} is thrown away. It boots the clean master image${both ? " and game disk" : ""} again.${only.game && choice === "system" ? " Its game disk is left as it is." : ""}`
    : `Everything written to ${gone.length ? "the other PCs'" : "these PCs'"} disks since their last reset (${mib(sectors)} MiB in all) is thrown away. They boot the clean master image again.`;
  return gone.length ? `${lose} ${goneText}` : lose;
}

/**
 * Says what will be lost and, for PCs that are up, offers what is safe: reset them at their next
 * boot (their boot script does it before they start). Resetting them now stays possible, with the
 * loud warning. Of several PCs, the kept ones are left alone (the server skips them too) and named;
 * one kept PC alone is reset only through this confirmation, which says its kept changes go.
 */
export function ConfirmResetDialog({ targets, event = false, bulk = event, choice, onCancel, onConfirm }: Props) {
  const asked = targets ?? [];
  const keptOne = !bulk && asked.length === 1 && asked[0]!.kept ? asked[0] : undefined;
  const skipped = keptOne ? [] : asked.filter((m) => m.kept);
  const list = keptOne ? asked : asked.filter((m) => !m.kept);
  const up = list.filter(isUp);
  const down = list.filter((m) => !isUp(m));
  // Of those up, a reset now crashes only the ones whose disk still works.
  const live = up.filter((m) => !diskLost(m));
  const lost = up.filter(diskLost);
  const single = asked.length === 1 ? list[0] : undefined;
  const title = event ? eventTitle(choice) : single ? `Reset ${single.name}?` : `Reset ${asked.length} PCs?`;
  // One PC with a game disk, reset alone: which of its disks (both by default). Bulk resets reset both.
  const choosable = !bulk && !!single?.game;
  const [picked, setPicked] = useState<{ id: number; choice: DiskChoice } | null>(null);
  const diskChoice: DiskChoice = choosable && picked?.id === single!.id ? picked.choice : "both";
  const disk = diskChoice === "both" ? undefined : diskChoice;
  const answer = (w: WhenOnline) => {
    setPicked(null);
    onConfirm(w, disk);
  };
  // A reset of one disk cannot wait for the next boot (the boot script resets every disk).
  const nextBootOk = disk === undefined;
  const withGame = list.filter((m) => m.game);
  const offerGroups = event && choice && choice.groups.length > 1;

  return (
    <Modal
      open={targets !== null}
      title={title}
      onClose={onCancel}
      width="lg"
      footer={
        <>
          <button type="button" onClick={onCancel} className={modalCancel}>
            Cancel
          </button>
          {live.length > 0 && (
            <button type="button" onClick={() => answer("force")} className={`${modalButton} text-red-800 ring-1 ring-red-300 hover:bg-red-50`}>
              {live.length === list.length
                ? "Reset now anyway"
                : live.length === 1
                  ? `Reset all now, crash ${live[0]!.name}`
                  : "Reset all now, crash the running ones"}
            </button>
          )}
          {live.length === 0 && lost.length > 0 ? (
            // Up, but nothing left to crash: resetting now is what helps (at its next boot would wait for a restart).
            <button type="button" onClick={() => answer("force")} className={`${modalButton} bg-red-700 text-white hover:bg-red-800`}>
              Confirm reset
            </button>
          ) : list.length === 0 ? null : up.length > 0 && (keptOne || !nextBootOk) ? null : up.length > 0 ? (
            <button type="button" onClick={() => answer("next-boot")} className={`${modalButton} bg-violet-700 text-white hover:bg-violet-800`}>
              {up.length === list.length ? "Reset at next boot" : "Reset the others now, these at next boot"}
            </button>
          ) : (
            <button type="button" onClick={() => answer("refuse")} className={`${modalButton} bg-red-700 text-white hover:bg-red-800`}>
              Confirm reset
            </button>
          )}
        </>
      }
    >
      {offerGroups && (
        <fieldset className="rounded-lg p-3 ring-1 ring-slate-200" data-testid="event-group">
          <legend className="px-1 text-sm font-semibold">Which PCs</legend>
          <div className="flex flex-wrap gap-x-4 gap-y-1.5">
            {[{ name: "", label: "All PCs", count: choice.total }, ...choice.groups].map((g) => (
              <label key={g.name} className="flex items-center gap-2 text-sm">
                <input
                  type="radio"
                  name="event-group"
                  value={g.name}
                  checked={choice.group === g.name}
                  onChange={() => choice.onChoose(g.name)}
                  className="size-4 accent-violet-700"
                />
                {g.label} <span className="text-slate-500 tabular-nums">({g.count})</span>
              </label>
            ))}
          </div>
        </fieldset>
      )}
      {keptOne && (
        <p data-testid="kept-warning" className="rounded-lg bg-teal-50 p-3 text-sm text-teal-950 ring-1 ring-teal-300">
          <strong className="block">{keptOne.name} is kept: its changes will be lost.</strong>
          Bulk resets and resets at next boot leave it alone, so what was written to its disk survived its reboots.{keptBy(keptOne.kept!)} This reset throws
          that away; the mark stays.
          {up.length > 0 && " It cannot be reset at its next boot while it is kept."}
        </p>
      )}
      {choosable && (
        <fieldset className="rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200">
          <legend className="sr-only">Which disks</legend>
          <p className="mb-1.5 text-sm font-medium">Which disks of {single!.name}</p>
          <div className="flex flex-col gap-1.5 sm:flex-row sm:flex-wrap sm:gap-x-4">
            {DISK_CHOICES.map((c) => (
              <label key={c.value} className="flex items-start gap-2 text-sm">
                <input
                  type="radio"
                  name="reset-disk"
                  value={c.value}
                  checked={diskChoice === c.value}
                  onChange={() => setPicked({ id: single!.id, choice: c.value })}
                  className="mt-0.5 accent-sky-600"
                />
                <span>
                  {c.label}
                  <span className="block text-xs text-slate-500">{c.help}</span>
                </span>
              </label>
            ))}
          </div>
          {!nextBootOk && up.length > 0 && (
            <p className="mt-2 text-xs text-slate-600">A reset of one disk cannot wait for the next boot (that resets both): shut the PC down first.</p>
          )}
        </fieldset>
      )}
      <p className="text-sm text-slate-700">
        {list.length ? lossText(list, diskChoice) : `${skipped.length === 1 ? "It is" : "They are all"} kept: nothing is reset.`}
      </p>
      {!single && withGame.length > 0 && (
        <p data-testid="both-disks" className="text-xs text-slate-600">
          <strong>Both disks are reset</strong> on {withGame.length === list.length ? "every PC" : `the ${withGame.length} PCs`} with a game disk: the system
          disk and the game disk.
        </p>
      )}
      {skipped.length > 0 && (
        <p data-testid="kept-skipped" className="text-xs text-teal-900">
          <strong>Kept, left alone ({skipped.length}):</strong> <span className="font-mono">{names(skipped)}</span> — remove the mark on a PC's page to reset it
          with the others.
        </p>
      )}
      {!single && up.length > 0 && down.length > 0 ? (
        <dl className="space-y-1 text-xs">
          <div>
            <dt className="inline font-semibold">Reset now ({down.length}): </dt>
            <dd className="inline font-mono text-slate-600">{names(down)}</dd>
          </div>
          <div>
            <dt className="inline font-semibold">Up right now ({up.length}): </dt>
            <dd className="inline font-mono text-slate-600">{names(up)}</dd>
          </div>
        </dl>
      ) : (
        !single && list.length > 0 && <p className="max-h-24 overflow-auto font-mono text-xs text-slate-600">{names(list)}</p>
      )}
      {live.length > 0 && (
        <div role="alert" className="rounded-lg border-2 border-red-600 bg-red-50 p-3 text-sm text-red-900">
          <strong className="block">
            {single
              ? `${single.name} is ${single.boot.state === "booting" ? "BOOTING" : "RUNNING"} right now.`
              : `${live.length} of them ${live.length === 1 ? "is" : "are"} up right now: ${names(live)}.`}
          </strong>
          Resetting {live.length === 1 ? "it" : "them"} now pulls the disk from under Windows: {live.length === 1 ? "it crashes" : "they crash"} (blue screen).
          {keptOne || !nextBootOk
            ? " Shut it down first, then reset it."
            : ` Safe: reset ${live.length === 1 ? "it" : "them"} at ${live.length === 1 ? "its" : "their"} next boot — ${live.length === 1 ? "its" : "their"} boot script does it before Windows starts.`}
        </div>
      )}
      {lost.length > 0 && (
        <p data-testid="disk-lost" className="rounded-lg bg-amber-50 p-3 text-sm text-amber-950 ring-1 ring-amber-300">
          <strong>
            {single
              ? `${single.name} is up, but its disk is already lost`
              : `${names(lost)}: up, but ${lost.length === 1 ? "its disk is" : "their disks are"} already lost`}
          </strong>{" "}
          ({lost.map((m) => `${m.name} ${m.state === "overflow" ? "overflowed" : "is Invalid"}`).join(", ")}). Resetting {lost.length === 1 ? "it" : "them"} now
          takes nothing more and gives {lost.length === 1 ? "it a clean disk" : "them clean disks"}: restart {lost.length === 1 ? "it" : "them"} afterwards.
        </p>
      )}
    </Modal>
  );
}
