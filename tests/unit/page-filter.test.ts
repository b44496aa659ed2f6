import { describe, expect, it } from "vitest";
import { eventsQuery, historyQuery } from "@/lib/validations/api";
import { pageFilter } from "@/lib/validations/search-params";

const fallback = eventsQuery.parse({});

describe("a dashboard page's filters (pageFilter)", () => {
  it("a repeated parameter is not dropped silently: everything is shown and the page names it", () => {
    const f = pageFilter(eventsQuery, { machine: ["1", "2"], severity: "danger" }, fallback);
    expect(f.q).toEqual(fallback);
    expect(f.raw).toEqual({});
    expect(f.ignored).toBe("The address gives 'machine' more than once: its filters are ignored and everything is shown. Give each filter once.");
    expect(pageFilter(historyQuery, { machine: ["1", "2"], result: ["ok", "failed"] }, { page: 1, pageSize: 25 }).ignored).toMatch(
      /^The address gives 'machine', 'result' more than once/,
    );
  });

  it("filters given once apply; empty ones (a form's blank field) are left out, also beside a repeat of an empty one", () => {
    const f = pageFilter(eventsQuery, { machine: "3", severity: "", kind: ["", "reset-failed"] }, fallback);
    expect(f.ignored).toBeNull();
    expect(f.raw).toEqual({ machine: "3", kind: "reset-failed" });
    expect(f.q).toMatchObject({ machine: 3, kind: "reset-failed", page: 1 });
  });

  it("an invalid filter is ignored as before, with the same words", () => {
    const f = pageFilter(eventsQuery, { machine: "x" }, fallback);
    expect(f).toEqual({ q: fallback, raw: {}, ignored: "Ignored an invalid filter in the address." });
  });
});
