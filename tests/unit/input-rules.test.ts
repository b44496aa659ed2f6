import { describe, expect, it } from "vitest";
import { GET as historyGet } from "@/app/api/history/route";
import { GET as eventsGet } from "@/app/api/events/route";
import { GET as bootsGet } from "@/app/api/boots/route";
import { GET as auditGet } from "@/app/api/audit/route";
import { GET as roomUsageGet } from "@/app/api/usage/route";
import { GET as machineUsageGet } from "@/app/api/machines/[id]/usage/route";
import { DELETE as versionDelete } from "@/app/api/images/versions/[n]/route";
import { POST as updatePost } from "@/app/api/images/update/route";
import { POST as publishPost } from "@/app/api/images/publish/route";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { POST as usersPost } from "@/app/api/users/route";
import { POST as tokensPost } from "@/app/api/tokens/route";
import { POST as alertsPost } from "@/app/api/alerts/route";
import { singleValuedParams } from "@/lib/validations/search-params";
import { hasForbiddenText } from "@/lib/validations/free-text";
import { call, eachWithAdmin } from "../helpers/routes";
import { errorShape } from "../helpers/runtime";

const t = eachWithAdmin();

describe("a query parameter given twice is a 400, on every route that reads a query", () => {
  it("the shared parsing refuses it and names it", () => {
    expect(singleValuedParams(new URLSearchParams("machine=1&page=2"))).toEqual({ machine: "1", page: "2" });
    expect(() => singleValuedParams(new URLSearchParams("machine=1&machine=2"))).toThrow(/'machine' given more than once/);
    expect(() => singleValuedParams(new URLSearchParams("range=1h&range="))).toThrow(/'range'/);
  });
  it.each([
    ["history", historyGet, "/api/history?machine=1&machine=2", {}],
    ["events", eventsGet, "/api/events?machine=1&machine=2", {}],
    ["boots", bootsGet, "/api/boots?machine=1&machine=2", {}],
    ["audit", auditGet, "/api/audit?outcome=ok&outcome=failed", {}],
    ["room usage", roomUsageGet, "/api/usage?range=1h&range=30d", {}],
    ["machine usage", machineUsageGet, "/api/machines/1/usage?range=1h&range=30d", { id: "1" }],
  ] as const)("%s", async (_n, get, url, params) => {
    const r = await call(get as typeof historyGet, { cookie: t.admin, url, params });
    expect(r.status).toBe(400);
    expect(r.json).toEqual(errorShape);
    expect(r.json.error.message).toMatch(/given more than once/);
  });
  it("DELETE an image version with ?host= twice: 400, nothing deleted", async () => {
    const r = await call(versionDelete, { cookie: t.admin, method: "DELETE", url: "/api/images/versions/1?host=local&host=other", params: { n: "1" } });
    expect(r.status).toBe(400);
    expect(t.ctx.rt.audit.list({ page: 1, pageSize: 5 }).rows.filter((a) => a.action.startsWith("image."))).toHaveLength(0);
  });
});

/** Control characters and the invisible marks that reorder text: every free-text field refuses them. */
const BAD = ["\u202Eexe.txt", "a\u2066b\u2069", "x\u200Fy", "a\u0007b", "tab\there", "line\nbreak", "c1\u0085", "del\u007f", "sep\u2028x", "arabic\u061Cmark"];

describe("free text: control characters and bidi/direction marks are refused (400), nothing stored", () => {
  it("the rule", () => {
    for (const s of BAD) expect(hasForbiddenText(s), JSON.stringify(s)).toBe(true);
    for (const s of ["Windows updates + new game patch", "Überarbeitet: Spiele – neu", "日本語のコメント", "emoji 🎮 ok", "it's v3 (final)"])
      expect(hasForbiddenText(s)).toBe(false);
  });
  it.each(BAD)("%j in an image comment (update and publish)", async (bad) => {
    for (const [post, url, body] of [
      [updatePost, "/api/images/update", { machine: 3, comment: bad }],
      [publishPost, "/api/images/publish", { comment: bad }],
    ] as const) {
      const r = await call(post, { cookie: t.admin, url, body });
      expect(r.status).toBe(400);
      expect(r.json.error.message).toMatch(/no control characters or bidi/);
    }
    await t.ctx.rt.images.settle();
    expect((await t.ctx.rt.images.view()).log).toHaveLength(0);
  });
  it.each(BAD)("%j in a user, token or alert target name, or a login name", async (bad) => {
    expect(
      (await call(usersPost, { cookie: t.admin, url: "/api/users", body: { username: `u${bad}`, password: "long-enough-password", role: "viewer" } })).status,
    ).toBe(400);
    expect((await call(tokensPost, { cookie: t.admin, url: "/api/tokens", body: { name: `t${bad}`, scope: "read" } })).status).toBe(400);
    expect(
      (await call(alertsPost, { cookie: t.admin, url: "/api/alerts", body: { name: `n${bad}`, kind: "webhook", url: "http://127.0.0.1:9/x" } })).status,
    ).toBe(400);
    expect((await call(loginPost, { url: "/api/auth/login", body: { username: `admin${bad}`, password: "whatever" } })).status).toBe(400);
    expect(t.ctx.rt.users.list().map((u) => u.username)).toEqual(["admin"]);
  });
  it("an audit filter with a bidi override is a 400", async () => {
    expect((await call(auditGet, { cookie: t.admin, url: `/api/audit?actor=${encodeURIComponent("ad\u202Emin")}` })).status).toBe(400);
  });
});
