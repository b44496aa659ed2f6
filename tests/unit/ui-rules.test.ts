import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(f) ? [p] : [];
  });
}
const ui = [...files("components"), ...files("app")];

describe("the UI's dialogs", () => {
  it("asks in the app's own dialog, never the browser's confirm/alert/prompt", () => {
    const offenders = ui.filter((f) => /\bwindow\.(confirm|alert|prompt)\s*\(|(^|[^.\w])(confirm|alert|prompt)\s*\(\s*[`"']/m.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
  });

  it("has one modal shell: only components/ui/modal.tsx renders a <dialog>", () => {
    const offenders = ui.filter((f) => /<dialog[\s>]/.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([path.join("components", "ui", "modal.tsx")]);
  });
});
