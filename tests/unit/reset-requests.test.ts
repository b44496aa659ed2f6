import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as resetPost } from "@/app/api/machines/[id]/reset/route";
import { POST as bulkPost } from "@/app/api/resets/route";
import { adminCookie, call } from "../helpers/routes";
import { testRuntime } from "../helpers/runtime";

let ctx: Awaited<ReturnType<typeof testRuntime>>;
let cookie: string;
beforeEach(async () => {
  ctx = await testRuntime();
  cookie = await adminCookie();
});
afterEach(() => ctx.cleanup());

/** PCs with an open iSCSI session, as the boot tracker sees them after a look at the room. */
async function up(...ids: number[]) {
  for (const id of ids) ctx.sim.setMachine(id, { online: true });
  ctx.rt.room.invalidate("local");
  ctx.rt.bootTracker.observe(await ctx.rt.room.read());
  for (const id of ids) expect(ctx.rt.bootTracker.isUp(id)).toBe(true);
}

describe("the bulk reset route: one rule for PCs that are up, whatever the number of PCs", () => {
  it("one running PC is left out and listed in online (200), exactly as two running PCs are", async () => {
    await up(10, 13);
    const one = await call(bulkPost, { body: { machines: [10] }, cookie });
    expect([one.status, one.json]).toEqual([200, { job: null, nextBoot: [], online: [10], kept: [] }]);
    const two = await call(bulkPost, { body: { machines: [10, 13] }, cookie });
    expect([two.status, two.json]).toEqual([200, { job: null, nextBoot: [], online: [10, 13], kept: [] }]);
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(0);
  });

  it("a running PC among PCs that are off: the others are reset (202), the running one listed in online", async () => {
    await up(10);
    const r = await call(bulkPost, { body: { machines: [10, 11] }, cookie });
    expect(r.status).toBe(202);
    expect(r.json.online).toEqual([10]);
    expect(r.json.job.machines.map((m: { id: number }) => m.id)).toEqual([11]);
    await ctx.rt.orchestrator.wait(r.json.job.id);
  });

  it("the single-PC route still refuses a running PC with 409 machine-online, and nothing runs", async () => {
    await up(10);
    const r = await call(resetPost, { method: "POST", params: { id: "10" }, cookie });
    expect(r.status).toBe(409);
    expect(r.json.error.code).toBe("machine-online");
    expect(ctx.rt.history.list({ page: 1, pageSize: 5 }).total).toBe(0);
  });
});
