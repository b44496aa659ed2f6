import { describe, expect, it } from "vitest";
import { printable } from "../../scripts/guest/run-guest.mjs";

describe("guest console passed through npm test", () => {
  it("drops the control sequences that would clear or repaint the terminal, keeps the text", () => {
    expect(printable("\x1bc\x1b[2J\x1b[1;1HiPXE 1.0.0\x1b[0m -- Open Source\x07")).toBe("iPXE 1.0.0 -- Open Source");
    expect(printable("\x1b]0;title\x07[   3.1] loop: module loaded\r")).toBe("[   3.1] loop: module loaded");
    expect(printable('COWHERD-CHECK {"ok":true}\t')).toBe('COWHERD-CHECK {"ok":true}\t');
  });
});
