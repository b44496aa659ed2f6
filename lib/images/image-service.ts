/**
 * Master image versions as the app runs them: each storage host keeps its own versions (the truth,
 * root-owned), and the app adds what a host cannot hold — comments, authors, a log of every step —
 * and runs one image step per host at a time. An update's copy can take minutes: it runs in the
 * background and its progress is part of the view; every other step is answered when done.
 */
import { gameLineKey, type Config, type DiskKind, type Group, type Machine } from "../config/schema";
import type { ImageAction } from "../constants";
import type { ImageLogRow, ImageRepo } from "../db/images";
import { AppError, errors } from "../api/errors";
import { IMAGE_REFUSED, imagesOfGroup, type HostImages, type ImageDraft, type ImageOp, type ImageVersion } from "../host/images";
import { errorText, stepOf } from "../host/step-error";
import type { Room } from "../status/room";

export interface VersionView extends ImageVersion {
  current: boolean;
  comment: string | null;
  author: string | null;
}

export interface HostImagesView {
  host: string;
  /** The PC group these versions are of, and how the dashboard names it. */
  group: string;
  groupLabel: string;
  /** Which of the group's disks: its system disk, or its game disk (a section of its own). */
  disk: DiskKind;
  /** Why this host's versions cannot be shown now (unreachable, a host without versions). */
  error: string | null;
  current: number | null;
  keep: number | null;
  versions: VersionView[];
  draft: (ImageDraft & { machineName: string; comment: string | null }) | null;
  /** The image step running on this host now (one at a time), with its latest progress. */
  busy: { action: ImageAction; logId: number; step: string | null; machineId: number | null } | null;
}

export interface ImagesView {
  hosts: HostImagesView[];
  /** Each step with the disk it was on (its line: a game disk's is "<group>-game"). */
  log: (ImageLogRow & { disk: DiskKind })[];
}

/** How an image step ended, for the audit log. */
export type ImageAudit = (outcome: "ok" | "failed" | "denied", detail: string) => void;

export class ImageService {
  private readonly busy = new Map<string, NonNullable<HostImagesView["busy"]>>();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly config: Config,
    private readonly room: Room,
    private readonly repo: ImageRepo,
    private readonly now: () => number = Date.now,
  ) {}

  machine(id: number): Machine {
    const m = this.config.machines.find((x) => x.id === id);
    if (!m) throw errors.notFound(`No PC ${id}`);
    return m;
  }

  /** The host an operation without a PC goes to: the one named, or the only one. */
  host(name: string | undefined): string {
    if (name !== undefined) {
      if (!this.config.hosts.some((h) => h.name === name)) throw errors.notFound(`No storage host ${name}`);
      return name;
    }
    if (this.config.hosts.length > 1)
      throw errors.badRequest(`Say which storage host: ${this.config.hosts.map((h) => h.name).join(", ")} (each keeps its own image versions)`);
    return this.config.hosts[0]!.name;
  }

  /** The group an operation without a PC is for: the one named, or the only one. */
  group(name: string | undefined): Group {
    if (name !== undefined) {
      const g = this.config.groups.find((x) => x.name === name);
      if (!g) throw errors.notFound(`No PC group ${name}`);
      return g;
    }
    if (this.config.groups.length > 1)
      throw errors.badRequest(`Say which PC group: ${this.config.groups.map((g) => g.name).join(", ")} (each has its own image versions)`);
    return this.config.groups[0]!;
  }

  /**
   * The disk an operation is for: the group's system disk (absent), or its game disk, which the
   * group must have (a 400 naming it, nothing started).
   */
  disk(group: Group, disk: "game" | undefined): "game" | undefined {
    if (disk === "game" && !group.game) throw errors.badRequest(`PC group ${group.name} has no game disk (no gameDisk in its config): nothing was done`);
    return disk;
  }

  /**
   * A group's line of versions in the app's tables: '' for the group on storage.master (every row
   * from before groups), else the group's name; its game disk's: "<group>-game".
   */
  private lineOf(group: string, disk: DiskKind = "system"): string {
    if (disk === "game") return gameLineKey(group);
    const g = this.config.groups.find((x) => x.name === group);
    return !g || g.master === this.config.storage.master ? "" : g.name;
  }

  async view(): Promise<ImagesView> {
    const readings = await this.room.read();
    const first = this.config.groups[0]!.name;
    // Each host once per group that has PCs on it (a room without groups: once), and once more for
    // the group's game disk when it has one.
    const pairs = readings.flatMap((r) =>
      this.config.groups
        .filter((g) => this.config.machines.some((m) => m.host === r.name && m.group === g.name))
        .flatMap((g) => [{ r, g, disk: "system" as DiskKind }, ...(g.game ? [{ r, g, disk: "game" as DiskKind }] : [])]),
    );
    const hosts = pairs.map(({ r, g, disk }): HostImagesView => {
      const im: HostImages | undefined = imagesOfGroup(r.status, g.name, first, disk);
      const busy = this.busy.get(r.name) ?? null;
      const line = this.lineOf(g.name, disk);
      const named = { host: r.name, group: g.name, groupLabel: g.label, disk };
      if (!im)
        return {
          ...named,
          error:
            r.failing?.message ??
            (r.status
              ? disk === "game"
                ? "this storage host reports no game disk versions (a helper without game disks?)"
                : "this storage host reports no image versions (an older helper?)"
              : "not read yet"),
          current: null,
          keep: null,
          versions: [],
          draft: null,
          busy,
        };
      const notes = this.repo.notes(r.name, line);
      return {
        ...named,
        error: r.failing ? `unreachable: ${r.failing.message} (showing its last answer)` : null,
        current: im.current,
        keep: im.keep,
        versions: im.versions.map((v) => ({
          ...v,
          current: v.n === im.current,
          comment: notes.get(v.n)?.comment ?? (v.n === 1 ? (disk === "game" ? "the game disk as it was" : "the master image as it was") : null),
          author: notes.get(v.n)?.author ?? null,
        })),
        draft: im.draft
          ? {
              ...im.draft,
              machineName: this.config.machines.find((m) => m.id === im.draft!.machine)?.name ?? `PC ${im.draft.machine}`,
              comment: this.repo.updateComment(r.name, line, im.draft.n),
            }
          : null,
        busy,
      };
    });
    const gameLines = new Set(this.config.groups.filter((g) => g.game).map((g) => gameLineKey(g.name)));
    return { hosts, log: this.repo.recent(50).map((l) => ({ ...l, disk: gameLines.has(l.line) ? "game" : "system" })) };
  }

  /**
   * Starts an image step. An update answers once it has started (its copy goes on: see view());
   * the others once done. A refusal is a 409 that says why; a storage host failure a 502.
   */
  async run(hostName: string, op: ImageOp, actor: string, comment: string | null, audit: ImageAudit): Promise<{ logId: number; images: HostImages | null }> {
    const host = this.room.host(hostName);
    const now = this.busy.get(hostName);
    if (now)
      throw errors.conflict(
        "image-busy",
        `An image step is already running on ${hostName} (${now.action}${now.step ? `: ${now.step}` : ""}); wait for it to end`,
      );
    const version = op.op === "current" || op.op === "delete" ? op.version : null;
    const machineId = op.op === "update" ? op.machine : null;
    const line = this.lineOf(op.op === "update" ? this.machine(op.machine).group : (op.group ?? this.config.groups[0]!.name), op.disk ?? "system");
    const logId = this.repo.start({ host: hostName, line, action: op.op, n: version, machineId, actor, comment }, this.now());
    const busy = { action: op.op, logId, step: null as string | null, machineId };
    this.busy.set(hostName, busy);
    const work = (async () => {
      try {
        const images = await host.image(op, (step) => (busy.step = step));
        const n = op.op === "update" ? images.draft?.n : op.op === "publish" ? images.current : undefined;
        // A version's comment: the one given at publish, else the one its update was started with.
        const note = op.op === "publish" && n !== undefined ? (comment ?? this.repo.updateComment(hostName, line, n)) : comment;
        if (op.op === "publish" && n !== undefined) this.repo.setNote(hostName, line, n, { comment: note, author: actor }, this.now());
        this.repo.finish(logId, "ok", this.now(), null, n, note);
        audit("ok", describe(op, n, note));
        return images;
      } catch (e) {
        const refused = stepOf(e, "") === IMAGE_REFUSED;
        this.repo.finish(logId, refused ? "refused" : "failed", this.now(), errorText(e));
        audit(refused ? "denied" : "failed", `${describe(op, version ?? undefined, comment)}: ${errorText(e)}`);
        throw refused ? errors.conflict("image-refused", errorText(e)) : new AppError("image-failed", 502, errorText(e));
      } finally {
        if (this.busy.get(hostName) === busy) this.busy.delete(hostName);
        this.room.invalidate(hostName);
      }
    })();
    if (op.op !== "update") return { logId, images: await work };
    // The copy goes on after the answer; a refusal or a quick failure (no space) is still answered.
    const p = work.catch(() => undefined);
    this.running.add(p);
    void p.finally(() => this.running.delete(p));
    const early = await Promise.race([work.then(() => "done" as const), new Promise<"running">((r) => setTimeout(() => r("running"), 300))]);
    return { logId, images: early === "done" ? await work : null };
  }

  /** Tests and shutdown: every background step ended. */
  async settle(): Promise<void> {
    await Promise.all([...this.running]);
  }
}

/**
 * Update mode leaves the PC's own disk alone (the draft is a target of its own), but the update is
 * made by booting that PC into the draft: one that is up (booting, or its iSCSI session open) would
 * have to be restarted first, losing what it has not saved, and until then it is marked the update
 * PC while it runs its own disk. Refused with the same 409 machine-online unless the admin forces it.
 */
export function refuseUpdateWhileUp(m: Machine, up: boolean, force: boolean): void {
  if (!up || force) return;
  throw errors.conflict(
    "machine-online",
    `${m.name} is running (its iSCSI session is open): the update is made by booting it into the draft, so it would have to restart and lose what it has not saved (its own disk is not touched). Shut it down first, or, if nobody is using it, force update mode.`,
  );
}

function describe(op: ImageOp, n: number | undefined, comment: string | null): string {
  return op.disk === "game" ? `game disk: ${describeStep(op, n, comment)}` : describeStep(op, n, comment);
}

function describeStep(op: ImageOp, n: number | undefined, comment: string | null): string {
  const c = comment ? ` "${comment}"` : "";
  switch (op.op) {
    case "update":
      return `update mode on PC ${op.machine}${n ? ` (draft v${n})` : ""}${c}`;
    case "publish":
      return `published${n ? ` v${n}` : ""} as current${c}`;
    case "discard":
      return "draft discarded";
    case "current":
      return `v${op.version} made current${c}`;
    case "delete":
      return `v${op.version} deleted`;
  }
}
