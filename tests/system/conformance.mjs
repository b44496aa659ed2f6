// @ts-check
// The conformance suite (issue 17): one list of storage scenarios, each with the outcome it must have,
// run by the unit tests against the simulated kernel (tests/unit/conformance.test.ts) and by the system
// test against the real one (tests/system/conformance-real.mjs). Both sides run the helper's own code;
// only the rig under it differs. Where the two disagree, the simulated kernel lies.

/** @typedef {number | "update"} Disk A PC's LUN by machine id, or the update target of image versions. */
/** @typedef {{ code: number, json: any }} HelperAnswer What the helper answered: exit code and its JSON document. */
/**
 * Before a dm worker request (wipe = dm-error, load = dm-load, resume = dm-resume) or after its answer.
 * @typedef {"before-wipe" | "after-wipe" | "before-load" | "after-load" | "after-resume"} KillPoint
 */
/**
 * What a scenario may do to a storage host. Every call runs the helper's real code (the one-shot verbs)
 * or acts on the host beneath it the way the world would (an initiator, an admin's `rm`, a daemon dying).
 * @typedef {object} Rig
 * @property {"sim" | "real"} side
 * @property {(...argv: string[]) => Promise<HelperAnswer>} helper The helper run as root: `cowherd-helper <argv>`.
 * @property {(disk: Disk, byte: number, offMiB: number, lenMiB: number) => Promise<boolean>} writePattern Writes `byte` over the range through the disk's LUN (an initiator); true when the write succeeded.
 * @property {(disk: Disk, byte: number, offMiB: number, lenMiB: number) => Promise<boolean>} readPattern True when the whole range reads back as `byte` through the LUN.
 * @property {(id: number) => Promise<string>} table The PC's dm device: the live table's target ("snapshot", "error"), "none" without a table, "absent" without a device; "+inactive" when a table waits in the inactive slot.
 * @property {(id: number) => Promise<boolean>} journal Whether a reset journal of the PC is left in the helper's state dir.
 * @property {(id: number) => Promise<boolean>} cowExists Whether the PC's COW file is there.
 * @property {(id: number) => Promise<void>} openSession An initiator logs in to the PC's target and stays (returns once status calls the PC online).
 * @property {(id: number) => Promise<void>} closeSession The initiator logs out.
 * @property {() => Promise<void>} deleteMaster The master image file renamed away under running PCs.
 * @property {() => Promise<void>} restoreMaster The master image put back (the same file, same inode).
 * @property {(id: number) => Promise<void>} deleteCow The PC's COW file deleted under its running device.
 * @property {(leaveMiB: number) => Promise<void>} fillStore Another file takes the store's space until `leaveMiB` are free.
 * @property {() => Promise<void>} unfillStore That file deleted.
 * @property {() => Promise<void>} stopBackend The iSCSI target daemon dies (its targets with it).
 * @property {() => Promise<void>} startBackend The daemon starts again, empty.
 * @property {(id: number, point: KillPoint) => Promise<void>} killedReset `reset <id>` killed (SIGKILL) at that point: nothing of it runs after.
 * @property {() => Promise<string>} tgtShow What `tgtadm --lld iscsi --op show --mode target` prints (tgtd down: "").
 */

export const MASTER_MIB = 64;
/** The master's byte at each MiB differs, so any block read from the wrong place shows. */
export const masterByte = (/** @type {number} */ mib) => (0x41 + mib * 7) & 0xff;
export const STORE = "/store/conf";
export const STORE_MIB = 320;
export const RESERVE_MIB = 16;
/** PCs of their own (ids, names, targets no other part of the system test uses): 24 is configured but never set up. */
export const IDS = [21, 22, 23];
export const SPARE = 24;

/** The helper's config for the suite, the same on both sides. */
export function conformanceConfig() {
  return {
    host: "real",
    machines: [...IDS, SPARE].map((id) => ({ id, name: `pc${id}`, ip: `127.0.0.${id + 100}`, dmName: `conf${id}` })),
    defaults: { cowSizeMiB: 16, chunkSectors: 8, mode: "P" },
    storage: { master: `${STORE}/master.img`, cowDir: STORE, iqnPrefix: "iqn.2026-11.test.cowherd", backend: "tgt", access: "all", reserveMiB: RESERVE_MIB },
  };
}

/**
 * The unit serial tgtd shows for LUN 1 of a disk's target ("SCSI SN:"), null without that LUN: the
 * identity Windows keys the disk on, which must not change across resets, restarts, hosts or PCs.
 * @param {string} show `tgtadm --op show --mode target`'s output
 * @param {Disk} disk
 */
export function serialIn(show, disk) {
  const iqn = `${conformanceConfig().storage.iqnPrefix}:${disk === "update" ? "update" : `conf${disk}`}`;
  const block = show.split(/^(?=Target \d+: )/m).find((b) => b.startsWith("Target ") && b.split("\n")[0]?.endsWith(`: ${iqn}`));
  const lun1 = block?.split(/^\s*LUN: /m).find((l) => l.startsWith("1\n"));
  return lun1 ? (/^\s*SCSI SN: (.*)$/m.exec(lun1)?.[1]?.trim() ?? null) : null;
}

/**
 * The serial every PC's system disk and the update target must show (helper/iscsi/identity.ts: one
 * per disk, since every PC runs the Windows last booted on the update target).
 */
export const SERIAL = "CWHSYS1";

/** A problem text as a class both sides can agree on (the words themselves are the helper's, the same code on both). */
export function problemClass(/** @type {string | undefined} */ p) {
  if (!p) return "none";
  const classes = [
    [/master image .* deleted, renamed or replaced|image v\d+ .*not found/, "master-gone"],
    [/COW file .* was deleted/, "cow-gone"],
    [/iSCSI target does not answer/, "target-down"],
    [/no table/, "no-table"],
    [/error table|inactive slot|half|interrupted|suspended|journal/, "half-reset"],
    [/no \/dev\/mapper node/, "no-node"],
  ];
  for (const [re, name] of /** @type {[RegExp, string][]} */ (classes)) if (re.test(p)) return name;
  return `other: ${p.slice(0, 120)}`;
}

/**
 * One PC as status shows it: exported, its health (state and problem class), usage in the kernel's
 * own numbers (used/total metadata, sectors), and the table its dm device serves.
 * @param {Rig} rig
 * @param {number} id
 */
export async function pcState(rig, id) {
  const st = await rig.helper("status");
  /** @type {any} */
  const m = (st.json?.machines ?? []).find((/** @type {any} */ x) => x.id === id);
  if (!m) return { exported: null, online: null, health: `not listed (status exit ${st.code})`, usage: null, table: await rig.table(id), version: null };
  return {
    exported: !!m.exported,
    online: !!m.online,
    health: `${m.state}/${problemClass(m.problem)}`,
    usage: m.state === "ok" ? `${m.usedSectors}/${m.totalSectors} ${m.metadataSectors}` : String(m.state),
    table: await rig.table(id),
    version: m.version ?? null,
  };
}

/** True when the range reads as the master there (one read per MiB: the master's byte differs per MiB). */
export async function readsMaster(/** @type {Rig} */ rig, /** @type {Disk} */ disk, /** @type {number} */ offMiB, lenMiB = 1) {
  for (let i = offMiB; i < offMiB + lenMiB; i++) if (!(await rig.readPattern(disk, masterByte(i), i, 1))) return false;
  return true;
}

const FRESH = "16/32768 16";
const SERVING = { exported: true, health: "ok/none", table: "snapshot" };
const reportOf = (/** @type {HelperAnswer} */ r) => r.json?.reports?.[0] ?? {};
const machineOf = (/** @type {HelperAnswer} */ r, /** @type {number} */ id) => (r.json?.machines ?? []).find((/** @type {any} */ m) => m.id === id) ?? {};

/**
 * @typedef {object} Scenario
 * @property {string} name
 * @property {string} what What it proves, in words.
 * @property {Partial<Record<"sim" | "real", string>>} [skip] Why it cannot run on a side (reported, never silent).
 * @property {(rig: Rig) => Promise<Record<string, unknown>>} run Does it and returns what was observed.
 * @property {Record<string, unknown>} expect What must have been observed (the same on both sides).
 */

/** A reset killed at each point of its run, then `repair`: the PC comes back serving, with its data or fresh, never garbage. */
const killed = /** @type {[KillPoint, boolean, boolean][]} */ ([
  // point, a half state left (error table or a table never resumed), the header zeroed by then
  ["before-wipe", false, false],
  ["after-wipe", true, false],
  ["before-load", true, true],
  ["after-load", true, true],
  ["after-resume", false, true],
]).map(
  ([point, half, zeroed]) =>
    /** @type {Scenario} */ ({
      name: `reset killed ${point}`,
      what: `reset 22 killed ${point.replace("-", " ").replace("wipe", "dm-error").replace("load", "dm-load").replace("resume", "dm-resume")}: status reports it and changes nothing; the journal stays; repair brings PC 22 back ${zeroed ? "fresh" : "with its own data"}`,
      async run(rig) {
        await rig.writePattern(22, 0x6b, 3, 1);
        await rig.killedReset(22, point);
        const tableBefore = await rig.table(22);
        const after = await pcState(rig, 22);
        const journalLeft = await rig.journal(22);
        const unchanged = (await rig.table(22)) === tableBefore;
        const rep = await rig.helper("repair");
        return {
          killedHealth: after.health.split("/")[1] === "none" ? "no problem" : "problem",
          statusChangedNothing: unchanged,
          journalLeft,
          repairCode: rep.code,
          repairOk: !!machineOf(rep, 22).ok,
          ...(await pcState(rig, 22)),
          patternKept: await rig.readPattern(22, 0x6b, 3, 1),
          readsMaster: await readsMaster(rig, 22, 3),
          journalAfterRepair: await rig.journal(22),
        };
      },
      expect: {
        killedHealth: half ? "problem" : "no problem",
        statusChangedNothing: true,
        journalLeft: true,
        repairCode: 0,
        repairOk: true,
        ...SERVING,
        patternKept: !zeroed,
        readsMaster: zeroed,
        journalAfterRepair: false,
        ...(zeroed ? { usage: FRESH } : {}),
      },
    }),
);

/** @type {Scenario[]} */
export const SCENARIOS = [
  {
    name: "up",
    what: "up 21 22 23 on an empty store: three snapshots over one master, exported, the kernel's fresh numbers, each LUN reads the master and shows the system disk's SCSI serial",
    async run(rig) {
      const up = await rig.helper("up", ...IDS.map(String));
      const show = await rig.tgtShow();
      return {
        code: up.code,
        actions: machineOf(up, 21).actions?.join(","),
        serials: IDS.map((id) => serialIn(show, id)),
        ...(await pcState(rig, 21)),
        first: await readsMaster(rig, 21, 0),
        last: await readsMaster(rig, 23, MASTER_MIB - 1),
      };
    },
    expect: {
      code: 0,
      actions: "cow-created,cow-loop-attached,dm-created,target-created,lun-online,lun-identity",
      serials: IDS.map(() => SERIAL),
      ...SERVING,
      usage: FRESH,
      online: false,
      first: true,
      last: true,
    },
  },
  {
    name: "write",
    what: "1 MiB written to PC 21 raises its usage to exactly what dm-snap-persistent counts (2072/32768 24 with 4 KiB chunks), and reads back",
    async run(rig) {
      const wrote = await rig.writePattern(21, 0xaa, 8, 1);
      return { wrote, usage: (await pcState(rig, 21)).usage, readBack: await rig.readPattern(21, 0xaa, 8, 1), neighbour: await readsMaster(rig, 21, 9) };
    },
    expect: { wrote: true, usage: "2072/32768 24", readBack: true, neighbour: true },
  },
  {
    name: "reset",
    what: "reset 21: the five steps, fresh numbers, the pattern gone (reads the master again), its SCSI serial the same, PC 22 untouched",
    async run(rig) {
      await rig.writePattern(22, 0xbb, 4, 1);
      const before = serialIn(await rig.tgtShow(), 21);
      const r = await rig.helper("reset", "21");
      const rep = reportOf(r);
      return {
        code: r.code,
        outcome: rep.outcome,
        steps: (rep.steps ?? []).map((/** @type {any} */ s) => s.step).join(","),
        serialBefore: before,
        serialAfter: serialIn(await rig.tgtShow(), 21),
        ...(await pcState(rig, 21)),
        patternGone: !(await rig.readPattern(21, 0xaa, 8, 1)),
        readsMaster: await readsMaster(rig, 21, 8),
        otherKept: await rig.readPattern(22, 0xbb, 4, 1),
        journal: await rig.journal(21),
      };
    },
    expect: {
      code: 0,
      outcome: "fresh",
      steps: "check,dm-error,cow-zero,dm-load,dm-resume",
      serialBefore: SERIAL,
      serialAfter: SERIAL,
      ...SERVING,
      usage: FRESH,
      patternGone: true,
      readsMaster: true,
      otherKept: true,
      journal: false,
    },
  },
  {
    name: "overflow",
    what: "24 MiB written into a 16 MiB P-mode COW: the snapshot goes Invalid and reads fail; a reset brings it back fresh",
    async run(rig) {
      await rig.writePattern(23, 0xcc, 0, 24);
      const full = await pcState(rig, 23);
      const readFails = !(await rig.readPattern(23, 0xcc, 0, 1));
      const r = await rig.helper("reset", "23");
      return { fullUsage: full.usage, readFails, code: r.code, ...(await pcState(rig, 23)), readsMaster: await readsMaster(rig, 23, 0) };
    },
    expect: { fullUsage: "invalid", readFails: true, code: 0, ...SERVING, usage: FRESH, readsMaster: true },
  },
  ...killed,
  {
    name: "grow",
    what: "grow 21 to 32 MiB: the kernel's total rises at once, a 20 MiB write fits; shrinking is refused (exit 2); a reset cuts it back to 16 MiB",
    async run(rig) {
      const g = await rig.helper("grow", "21", "32");
      const grown = await pcState(rig, 21);
      const fits = await rig.writePattern(21, 0xdd, 0, 20);
      const usedAbove = (await pcState(rig, 21)).usage;
      const shrink = await rig.helper("grow", "21", "16");
      const r = await rig.helper("reset", "21");
      return {
        code: g.code,
        totalSectors: g.json?.totalSectors,
        grownUsage: grown.usage,
        fits,
        stillValid: /^\d+\/65536 /.test(String(usedAbove)) && Number(String(usedAbove).split("/")[0]) > 32768,
        shrinkCode: shrink.code,
        shrinkStep: shrink.json?.step,
        resetCode: r.code,
        ...(await pcState(rig, 21)),
        readsMaster: await readsMaster(rig, 21, 0),
      };
    },
    expect: {
      code: 0,
      totalSectors: 65536,
      grownUsage: "16/65536 16",
      fits: true,
      stillValid: true,
      shrinkCode: 2,
      shrinkStep: "validate",
      resetCode: 0,
      ...SERVING,
      usage: FRESH,
      readsMaster: true,
    },
  },
  {
    name: "down and up",
    what: "down 23 takes its LUN, target, device and loop; up 23 brings it back with its data (the COW file kept)",
    async run(rig) {
      await rig.writePattern(23, 0x77, 2, 1);
      const down = await rig.helper("down", "23");
      const gone = await pcState(rig, 23);
      const up = await rig.helper("up", "23");
      return {
        downCode: down.code,
        downActions: machineOf(down, 23).actions?.join(","),
        downHealth: gone.health,
        downExported: gone.exported,
        downTable: gone.table,
        cowKept: await rig.cowExists(23),
        upCode: up.code,
        upActions: machineOf(up, 23).actions?.join(","),
        ...(await pcState(rig, 23)),
        dataKept: await rig.readPattern(23, 0x77, 2, 1),
      };
    },
    expect: {
      downCode: 0,
      downActions: "lun-offline,target-deleted,dm-removed,cow-loop-detached",
      downHealth: "missing/none",
      downExported: false,
      downTable: "absent",
      cowKept: true,
      upCode: 0,
      upActions: "cow-loop-attached,dm-created,target-created,lun-online,lun-identity",
      ...SERVING,
      dataKept: true,
    },
  },
  {
    name: "image versions",
    what: "update mode on PC 21 (its LUN with the PCs' SCSI serial), pattern B into the draft, publish v2; PC 22 reset onto v2 reads B, PC 23 stays on v1; deleting v1 refused; rollback; PC 22 reset reads v1; an update discarded",
    async run(rig) {
      const upd = await rig.helper("image-update", "21");
      const updateSerial = serialIn(await rig.tgtShow(), "update");
      const wroteDraft = await rig.writePattern("update", 0xbb, 0, 2);
      const second = await rig.helper("image-update", "22");
      const pub = await rig.helper("image-publish");
      const r22 = await rig.helper("reset", "22");
      const onV2 = await rig.readPattern(22, 0xbb, 0, 2);
      const v = { 22: (await pcState(rig, 22)).version, 23: (await pcState(rig, 23)).version };
      const del = await rig.helper("image-delete", "1");
      const delCurrent = await rig.helper("image-delete", "2");
      const back = await rig.helper("image-current", "1");
      const r22b = await rig.helper("reset", "22");
      const again = await rig.helper("image-update", "21");
      const discard = await rig.helper("image-discard");
      return {
        updateCode: upd.code,
        draft: `v${upd.json?.images?.draft?.n} ${upd.json?.images?.draft?.state}`,
        updateSerial,
        wroteDraft,
        secondCode: second.code,
        secondStep: second.json?.step,
        publishCode: pub.code,
        current: pub.json?.images?.current,
        resetOnV2: r22.code,
        onV2,
        versions: `22:v${v[22]} 23:v${v[23]}`,
        deleteCode: del.code,
        deleteError: del.json?.error,
        deleteCurrentStep: delCurrent.json?.step,
        rollbackCode: back.code,
        rollbackCurrent: back.json?.images?.current,
        resetOnV1: r22b.code,
        v1Again: await readsMaster(rig, 22, 0, 2),
        nextDraft: again.json?.images?.draft?.n,
        discardCode: discard.code,
        draftAfter: discard.json?.images?.draft,
        ...(await pcState(rig, 22)),
      };
    },
    expect: {
      updateCode: 0,
      draft: "v2 ready",
      updateSerial: SERIAL,
      wroteDraft: true,
      secondCode: 1,
      secondStep: "refused",
      publishCode: 0,
      current: 2,
      resetOnV2: 0,
      onV2: true,
      versions: "22:v2 23:v1",
      deleteCode: 1,
      deleteError: "v1 is in use by PCs 21, 23, 24: they move off it at their next reset",
      deleteCurrentStep: "refused",
      rollbackCode: 0,
      rollbackCurrent: 1,
      resetOnV1: 0,
      v1Again: true,
      nextDraft: 3,
      discardCode: 0,
      draftAfter: null,
      ...SERVING,
      usage: FRESH,
      version: 1,
    },
  },
  {
    name: "deleted master",
    what: "the master renamed away under running PCs: reset 22 refused at check with nothing changed, status says why; put back, the reset works",
    async run(rig) {
      await rig.writePattern(22, 0x72, 5, 1);
      await rig.deleteMaster();
      const r = await rig.helper("reset", "22");
      const during = await pcState(rig, 22);
      const kept = await rig.readPattern(22, 0x72, 5, 1);
      await rig.restoreMaster();
      const again = await rig.helper("reset", "22");
      return {
        code: r.code,
        failedStep: reportOf(r).failedStep,
        health: during.health,
        tableDuring: during.table,
        kept,
        againCode: again.code,
        readsMaster: await readsMaster(rig, 22, 5),
      };
    },
    expect: { code: 1, failedStep: "check", health: "ok/master-gone", tableDuring: "snapshot", kept: true, againCode: 0, readsMaster: true },
  },
  {
    name: "deleted COW",
    what: "PC 23's COW file deleted under its running device: status says so, reset and up refuse (no new empty COW), the PC still reads its data; down and up give it a new disk on purpose",
    async run(rig) {
      await rig.writePattern(23, 0x33, 2, 1);
      await rig.deleteCow(23);
      const st = await pcState(rig, 23);
      const r = await rig.helper("reset", "23");
      const up = await rig.helper("up", "23");
      const noNewCow = !(await rig.cowExists(23));
      const stillReads = await rig.readPattern(23, 0x33, 2, 1);
      const down = await rig.helper("down", "23");
      const up2 = await rig.helper("up", "23");
      return {
        healthDeleted: st.health,
        resetCode: r.code,
        resetStep: reportOf(r).failedStep,
        upCode: up.code,
        noNewCow,
        stillReads,
        downUp: `${down.code} ${up2.code}`,
        ...(await pcState(rig, 23)),
        readsMaster: await readsMaster(rig, 23, 2),
      };
    },
    expect: {
      healthDeleted: "ok/cow-gone",
      resetCode: 1,
      resetStep: "check",
      upCode: 1,
      noNewCow: true,
      stillReads: true,
      downUp: "0 0",
      ...SERVING,
      usage: FRESH,
      readsMaster: true,
    },
  },
  {
    name: "full store",
    what: "a store with less free space than a COW plus the reserve: up 24 refused at space leaving no file, grow 21 refused before the COW grows; PC 21 keeps working",
    async run(rig) {
      await rig.fillStore(RESERVE_MIB + 8);
      const up = await rig.helper("up", String(SPARE));
      const before = (await pcState(rig, 21)).usage;
      const grow = await rig.helper("grow", "21", "32");
      const after = (await pcState(rig, 21)).usage;
      const works = (await rig.writePattern(21, 0x55, 0, 1)) && (await rig.readPattern(21, 0x55, 0, 1));
      await rig.unfillStore();
      return {
        upCode: up.code,
        upStep: machineOf(up, SPARE).step,
        noFile: !(await rig.cowExists(SPARE)),
        growCode: grow.code,
        growStep: grow.json?.step,
        sizeKept: before === after,
        works,
      };
    },
    expect: { upCode: 1, upStep: "space", noFile: true, growCode: 1, growStep: "space", sizeKept: true, works: true },
  },
  {
    name: "missing backend",
    what: "tgtd down: a reset cleans the disk (the target is never touched) but is not a success (failed at export: the PC cannot be reached), status reads every PC's numbers with the target's failure, not exported; tgtd back, up exports again with the same SCSI serial",
    async run(rig) {
      await rig.stopBackend();
      const r = await rig.helper("reset", "21");
      const st = await pcState(rig, 21);
      await rig.startBackend();
      const up = await rig.helper("up", ...IDS.map(String));
      return {
        code: r.code,
        failedStep: reportOf(r).failedStep,
        outcome: reportOf(r).outcome,
        healthDown: st.health,
        exportedDown: st.exported,
        usageDown: st.usage,
        upCode: up.code,
        relinked: IDS.every((id) => (machineOf(up, id).actions ?? []).includes("lun-online")),
        serialAfterRestart: serialIn(await rig.tgtShow(), 21),
        ...(await pcState(rig, 21)),
        readsMaster: await readsMaster(rig, 21, 0),
      };
    },
    expect: {
      code: 1,
      failedStep: "export",
      outcome: "fresh",
      healthDown: "ok/target-down",
      exportedDown: false,
      usageDown: FRESH,
      upCode: 0,
      relinked: true,
      serialAfterRestart: SERIAL,
      ...SERVING,
      usage: FRESH,
      readsMaster: true,
    },
  },
  {
    name: "open session",
    what: "an initiator logged in to PC 21: reset refused (failedStep online, nothing touched), reset --force resets it",
    async run(rig) {
      await rig.writePattern(21, 0x5e, 2, 1);
      await rig.openSession(21);
      const onlineDuring = (await pcState(rig, 21)).online;
      const r = await rig.helper("reset", "21");
      const kept = await rig.readPattern(21, 0x5e, 2, 1);
      const f = await rig.helper("reset", "--force", "21");
      await rig.closeSession(21);
      return {
        onlineDuring,
        code: r.code,
        failedStep: reportOf(r).failedStep,
        kept,
        forcedCode: f.code,
        forcedOutcome: reportOf(f).outcome,
        ...(await pcState(rig, 21)),
        readsMaster: await readsMaster(rig, 21, 2),
      };
    },
    expect: {
      onlineDuring: true,
      code: 1,
      failedStep: "online",
      kept: true,
      forcedCode: 0,
      forcedOutcome: "fresh",
      ...SERVING,
      online: false,
      usage: FRESH,
      readsMaster: true,
    },
  },
  {
    name: "all consistent",
    what: "at the end every PC serves a snapshot with nothing half done and no journal",
    async run(rig) {
      const out = /** @type {Record<string, unknown>} */ ({});
      for (const id of IDS) {
        const s = await pcState(rig, id);
        out[`pc${id}`] = `${s.exported} ${s.health} ${s.table} journal:${await rig.journal(id)}`;
      }
      return out;
    },
    expect: Object.fromEntries(IDS.map((id) => [`pc${id}`, "true ok/none snapshot journal:false"])),
  },
];

/**
 * Runs the list over a rig: per scenario what was observed, what differs from the expected outcome,
 * or why it was skipped on this side. A scenario that throws is a failure with its error.
 * @typedef {{ name: string, what: string, skipped?: string, observed?: Record<string, unknown>, diffs: string[] }} Result
 * @param {Rig} rig
 * @param {{ only?: (s: Scenario) => boolean, onResult?: (r: Result) => void }} [opts] onResult hears each as it ends
 * @returns {Promise<Result[]>}
 */
export async function runConformance(rig, opts = {}) {
  /** @type {Result[]} */
  const results = [];
  for (const s of SCENARIOS.filter(opts.only ?? (() => true))) {
    const skipped = s.skip?.[rig.side];
    /** @type {Result} */
    let r;
    if (skipped) r = { name: s.name, what: s.what, skipped, diffs: [] };
    else {
      try {
        const observed = await s.run(rig);
        r = { name: s.name, what: s.what, observed, diffs: differences(s.expect, observed) };
      } catch (e) {
        r = { name: s.name, what: s.what, diffs: [`threw: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`] };
      }
    }
    results.push(r);
    opts.onResult?.(r);
  }
  return results;
}

/** Each expected key whose observed value differs, as `key: expected X, got Y`. */
export function differences(/** @type {Record<string, unknown>} */ expect, /** @type {Record<string, unknown>} */ observed) {
  return Object.entries(expect)
    .filter(([k, v]) => JSON.stringify(observed[k]) !== JSON.stringify(v))
    .map(([k, v]) => `${k}: expected ${JSON.stringify(v)}, got ${JSON.stringify(observed[k])}`);
}
