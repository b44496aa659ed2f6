import { mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { nodeFs } from "@/helper/storage/fs-port";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the helper's file writes leave no temp file when they fail (a full /run)", () => {
  it.each(["writeAtomic", "writeDurable"] as const)("%s: the error is raised, the temp file removed", (op) => {
    dir = mkdtempSync(path.join(tmpdir(), "cowherd-fs-"));
    // The rename over a directory fails after the temp file was written, as a full disk fails a write.
    mkdirSync(path.join(dir, "pin-1-1.json"));
    expect(() => nodeFs[op](path.join(dir, "pin-1-1.json"), '{"n":2}')).toThrow();
    expect(readdirSync(dir)).toEqual(["pin-1-1.json"]);
    nodeFs[op](path.join(dir, "ok.json"), "{}");
    expect(readdirSync(dir).sort()).toEqual(["ok.json", "pin-1-1.json"]);
  });
});
