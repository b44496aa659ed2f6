// @ts-check
// PC groups on a real kernel (issue 19): a second group on its own master beside the room's, each
// with its own versions, state file and update target; update, publish and rollback in one group
// move only its PCs, and the other group is untouched.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { check } from "./checks.mjs";
import { helper, iqn, lunUrl, qemuIo, sh, writeConfig } from "./guest-lib.mjs";
import { PCS } from "./system-helper.mjs";

const NEWER = "/store/newer.img";
const NEWER_MIB = 16;
const PREFIX = "iqn.2026-11.test.cowherd";
const GROUPS = { groups: [{ name: "retro" }, { name: "newer", master: NEWER }] };
const MINE = [
  { id: 11, name: "pc11", ip: "127.0.0.51", dmName: "retrocow11", group: "newer" },
  { id: 12, name: "pc12", ip: "127.0.0.52", dmName: "retrocow12", group: "newer" },
];
const pcs = () => Object.fromEntries((helper("status").json?.machines ?? []).map((m) => [m.id, m]));
const identical = (/** @type {string} */ file, /** @type {string} */ dm) => {
  const r = sh("/usr/bin/qemu-img", ["compare", "-f", "raw", "-F", "raw", file, lunUrl(dm)]);
  return r.code === 0 && /Images are identical/.test(r.stdout);
};
const targets = () => sh("/usr/sbin/tgtadm", ["--lld", "iscsi", "--op", "show", "--mode", "target"]).stdout;

export async function groupChecks() {
  // The newer group's master: its own content (0xC0 + its MiB), so a PC on it cannot pass for one on the room's.
  const buf = Buffer.alloc(NEWER_MIB * 1048576);
  for (let i = 0; i < NEWER_MIB; i++) buf.fill((0xc0 + i) & 0xff, i * 1048576, (i + 1) * 1048576);
  writeFileSync(NEWER, buf);
  writeConfig([...PCS.map((m) => ({ ...m, group: "retro" })), ...MINE], GROUPS);
  const retroBefore = JSON.parse(readFileSync("/var/lib/cowherd-helper/images.json", "utf8"));

  let r = helper("up", "11", "12");
  check(
    "groups: up builds PCs 11 and 12 over their group's own master (their LUNs read it), version 1 of it",
    r.code === 0 && identical(NEWER, "retrocow11") && identical(NEWER, "retrocow12") && pcs()[11]?.version === 1,
    r.json,
  );
  const st = helper("status").json;
  check(
    "groups: status answers each group's versions (retro as before, newer v1 with PCs 11 and 12)",
    st?.groups?.map((/** @type {{ group: string, current: number }} */ g) => `${g.group}:${g.current}`).join() === `retro:${retroBefore.current},newer:1` &&
      st.groups[1].versions[0].machines.join() === "11,12",
    st?.groups,
  );

  r = helper("image-update", "11");
  const update = `iscsi://127.0.0.1/${PREFIX}:update-newer/1`;
  check(
    "groups: update mode on PC 11 makes the newer group's draft, on its own update target",
    r.code === 0 && r.json?.images?.group === "newer" && r.json.images.draft?.state === "ready" && targets().includes(`${PREFIX}:update-newer`),
    r.json,
  );
  check("groups: pattern 0xEE written into the newer draft over iSCSI", sh("/usr/bin/qemu-io", ["-f", "raw", "-c", "write -P 0xee 0 2M", update]).code === 0);
  r = helper("image-publish", "--group", "newer");
  check(
    "groups: publish --group newer makes its v2 current; the room's group keeps its current version and state",
    r.code === 0 &&
      r.json?.images?.group === "newer" &&
      r.json.images.current === 2 &&
      existsSync("/store/newer.v2.img") &&
      JSON.parse(readFileSync("/var/lib/cowherd-helper/images.json", "utf8")).current === retroBefore.current,
    r.json,
  );
  r = helper("image-publish", "--group", "modern");
  check(
    "groups: a group the helper's config does not have is refused (a usage error, nothing run)",
    r.code !== 0 && r.json?.error?.code === "usage" && /no group "modern" in the helper's config/.test(r.json.error.message),
    r.json,
  );

  r = helper("reset", "1", "12");
  const after = pcs();
  check(
    "groups: one reset of PCs of both groups moves PC 12 to newer v2 (reads 0xEE) and PC 1 to the room's current version",
    r.code === 0 && after[12]?.version === 2 && qemuIo("retrocow12", "read -P 0xee 0 2M").ok && after[1]?.version === retroBefore.current,
    { reset: r.json, after: [after[1], after[12]] },
  );
  r = helper("image-current", "1", "--group", "newer");
  const back = helper("reset", "12");
  check(
    "groups: rollback in the newer group only: PC 12 reads its master again after its reset",
    r.code === 0 && back.code === 0 && identical(NEWER, "retrocow12") && pcs()[12]?.version === 1,
    { current: r.json, reset: back.json },
  );
  check("groups: PC 11's own disk stayed on newer v1 throughout", identical(NEWER, "retrocow11"));

  // The room as the checks after this one expect it: PCs 1-3 in one group, PCs 11 and 12 gone.
  r = helper("down", "11", "12");
  check("groups: PCs 11 and 12 taken down", r.code === 0, r.json);
  writeConfig(PCS);
  check("groups: PC 11 no longer exported", !targets().includes(iqn("retrocow11")));
}
