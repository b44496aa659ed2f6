import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { JobStore, type JobRecord } from "@/lib/jobs/job-store";

type J = JobRecord & { n: number };
const job = (id: string, finished: boolean): J => ({ id, createdAt: 0, finishedAt: finished ? 1 : null, n: 0 });

describe("JobStore", () => {
  it("forgets the oldest finished jobs beyond its keep, never a running one", () => {
    const s = new JobStore<J>(2);
    const running = job("r", false);
    s.add(running, new Promise(() => undefined));
    for (const id of ["a", "b", "c"]) s.add(job(id, true), Promise.resolve(job(id, true)));
    expect(s.get("a")).toBeUndefined();
    expect(["b", "c", "r"].map((id) => s.get(id)?.id)).toEqual(["b", "c", "r"]);
    expect(s.unfinished().map((j) => j.id)).toEqual(["r"]);
  });

  it("hands out copies (only the runner changes a job) and its completion", async () => {
    const s = new JobStore<J>(5);
    const j = job("x", false);
    let finish!: (v: J) => void;
    s.add(j, new Promise<J>((r) => (finish = r)));
    s.get("x")!.n = 9;
    expect(s.get("x")!.n).toBe(0);
    j.n = 3;
    finish(j);
    expect((await s.done("x"))!.n).toBe(3);
    expect(s.done("nope")).toBeUndefined();
  });
});

describe("job types", () => {
  it("no two exported types are named Job", () => {
    // git grep exits 1 when nothing matches: the answer wanted.
    const r = spawnSync("git", ["grep", "-nE", "^export (interface|type) Job\\b", "--", "lib", "components", "app", "helper", "scripts"], { encoding: "utf8" });
    expect(r.stdout).toBe("");
    expect(r.status).toBe(1);
  });
});
