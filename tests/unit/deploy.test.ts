import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseConfig } from "@/lib/config/load";

describe("deploy files", () => {
  it("the sudoers drop-in passes visudo and grants only the helper", () => {
    const r = spawnSync("/usr/sbin/visudo", ["-c", "-f", "deploy/sudoers.d/cowherd"], { encoding: "utf8" });
    expect(r.error).toBeUndefined();
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const rules = readFileSync("deploy/sudoers.d/cowherd", "utf8")
      .split("\n")
      .filter((l) => l && !l.startsWith("#") && !l.startsWith("Defaults"));
    expect(rules).toEqual(["cowherd ALL=(root) NOPASSWD: /usr/local/sbin/cowherd-helper"]);
  });

  it("the example config is valid", () => {
    const c = parseConfig(JSON.parse(readFileSync("deploy/config.example.json", "utf8")));
    expect(c.host).toBe("real");
    expect(c.machines[0]!.cowPath).toBe("/store/retrocow1.cow");
  });
});
