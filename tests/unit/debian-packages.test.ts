import type { spawnSync } from "node:child_process";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ensureDebianPackages, hasFile, runs } from "../../scripts/debian-packages.mjs";

// What the test scripts do when a Debian package is missing (npm test, test:system, test:room): apt-get
// runs only as root and only for what is missing; anyone else is told the line to run.
const there = () => true;
const absent = () => false;

function fakeApt(status = 0) {
  const calls: string[][] = [];
  const exec = ((cmd: string, args: string[]) => {
    calls.push([cmd, ...args]);
    return { status };
  }) as unknown as typeof spawnSync;
  return { calls, exec };
}

afterEach(() => vi.restoreAllMocks());

describe("ensureDebianPackages", () => {
  it("does nothing when every package is there", () => {
    const apt = fakeApt();
    expect(ensureDebianPackages([["nasm", there]], "the room test", { uid: 0, exec: apt.exec })).toBe(true);
    expect(apt.calls).toEqual([]);
  });

  it("as root: updates the lists, then installs only what is missing, and says so", () => {
    const apt = fakeApt();
    const log = vi.spyOn(console, "log").mockImplementation(() => undefined);
    const ok = ensureDebianPackages(
      [
        ["qemu-system-x86", absent],
        ["xz-utils", there],
        ["nasm", absent],
      ],
      "the room test",
      { uid: 0, exec: apt.exec },
    );
    expect(ok).toBe(true);
    expect(apt.calls).toEqual([
      ["apt-get", "update", "-qq"],
      ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "qemu-system-x86", "nasm"],
    ]);
    expect(log).toHaveBeenCalledWith("cowherd: installing qemu-system-x86, nasm for the room test (apt-get)…");
  });

  it("as root: a failed install is a failure", () => {
    vi.spyOn(console, "log").mockImplementation(() => undefined);
    expect(ensureDebianPackages([["nasm", absent]], "the room test", { uid: 0, exec: fakeApt(100).exec })).toBe(false);
  });

  it("as anyone else: installs nothing and prints the line to run", () => {
    const apt = fakeApt();
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(ensureDebianPackages([["chromium", absent]], "the browser tests", { uid: 1000, exec: apt.exec })).toBe(false);
    expect(apt.calls).toEqual([]);
    expect(error).toHaveBeenCalledWith("cowherd: the browser tests needs chromium; run: sudo apt-get install -y --no-install-recommends chromium");
  });

  it("tells a package is there by a file it installs or a command of it that runs", () => {
    expect(hasFile(process.execPath)()).toBe(true);
    expect(hasFile("/nonexistent/cowherd-test")()).toBe(false);
    expect(runs(process.execPath, ["--version"])()).toBe(true);
    expect(runs("/nonexistent/cowherd-test", [])()).toBe(false);
  });
});
