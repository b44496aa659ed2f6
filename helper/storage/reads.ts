import type { Command, Runner } from "../../lib/host/command";
import { check } from "../commands/command";
import { dmsetup, parseDmInfo, type DmInfo } from "../commands/dmsetup";
import { losetup, parseLosetupList, type LoopDevice } from "../commands/losetup";
import { parseDmStatusAll, parseDmStatusLine, type SnapshotStatus } from "../../lib/host/dm-status";
import type { ExportSpec, IscsiBackend, IscsiView } from "../iscsi/backend";
import { StepError } from "../../lib/host/step-error";
import type { FsPort } from "./fs-port";

/** Everything one look at the host tells: loops, dm devices (slots, live table, status) and the target. */
export interface HostView {
  loops: LoopDevice[];
  info: Map<string, DmInfo>;
  /** Live tables: target and params ("7:0 7:1 P 8" for a snapshot), by device name. */
  tables: Map<string, { length: number; target: string; params: string }>;
  status: Map<string, { target: string; snapshot?: SnapshotStatus }>;
  iscsi: IscsiView;
  /** Why the target could not be read (a view taken with the target optional). */
  iscsiError?: string;
}

/** Read-only access to the host: never changes anything. */
export class HostReads {
  constructor(
    private readonly run: Runner,
    private readonly fs: FsPort,
    private readonly backend: IscsiBackend,
    private readonly specs: () => ExportSpec[],
  ) {}

  /**
   * Listing every device races with another process removing one ("Device does not exist" between
   * dmsetup's list and its per-device query): a read that fails is tried again, twice.
   */
  private async read(cmd: Command, step: string): Promise<string> {
    for (let i = 0; ; i++) {
      try {
        return (await check(this.run, cmd)).stdout;
      } catch (e) {
        // A tool that is not there at all is an error to report, not a race to retry.
        if (i >= 2 || (e as { result?: { code: number } }).result?.code === 127) throw new StepError(step, (e as Error).message);
        await new Promise((r) => setTimeout(r, 50 * (i + 1)));
      }
    }
  }

  async loops(): Promise<LoopDevice[]> {
    return parseLosetupList(await this.read(losetup.list(), "read-loops"));
  }

  async info(): Promise<Map<string, DmInfo>> {
    return parseDmInfo(await this.read(dmsetup.infoAll(), "read-dm"));
  }

  async tables(): Promise<HostView["tables"]> {
    const out: HostView["tables"] = new Map();
    const text = await this.read(dmsetup.tableAll(), "read-dm");
    if (/^No devices found/m.test(text)) return out;
    for (const raw of text.split("\n")) {
      const line = parseDmStatusLine(raw);
      if (line?.name && !out.has(line.name)) out.set(line.name, { length: line.length, target: line.target, params: line.params });
    }
    return out;
  }

  async status(): Promise<HostView["status"]> {
    return parseDmStatusAll(await this.read(dmsetup.statusAll(), "read-dm"));
  }

  /** The configured backend's tools are installed: without them the config is wrong, not the daemon down. */
  requireBackend(): void {
    const missing = this.backend.requires.filter((p) => !this.fs.exists(p));
    if (missing.length)
      throw new StepError(
        "read-iscsi",
        `the iSCSI target is configured as ${this.backend.name} (storage.backend), but ${missing.join(" and ")} ${missing.length > 1 ? "are" : "is"} missing: install and start it, or set storage.backend to the one this host runs`,
      );
  }

  async iscsi(): Promise<IscsiView> {
    this.requireBackend();
    const read = this.backend.read;
    if (read.kind === "command") return this.backend.parse(await this.read(read.cmd, "read-iscsi"));
    const files = new Map(read.paths(this.specs()).map((p) => [p, this.fs.read(p)] as const));
    return this.backend.parse(files);
  }

  /**
   * One read of everything, shared by every PC of one verb. A reset never touches the target, so it
   * reads it as optional: with tgtd down the view's target is empty and says why. Status reads it as
   * reported: a backend whose tools are missing is an error, a daemon that does not answer is part
   * of the picture (the PCs' numbers are still there).
   */
  async view(target: "required" | "optional" | "reported" = "required"): Promise<HostView> {
    if (target === "reported") this.requireBackend();
    const iscsi = target === "required" ? this.iscsi() : this.iscsi().catch((e: Error) => e);
    const [loops, info, tables, status, view] = await Promise.all([this.loops(), this.info(), this.tables(), this.status(), iscsi]);
    return view instanceof Error ? { loops, info, tables, status, iscsi: new Map(), iscsiError: view.message } : { loops, info, tables, status, iscsi: view };
  }
}
