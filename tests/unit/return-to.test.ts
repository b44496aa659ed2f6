import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { POST as loginPost } from "@/app/api/auth/login/route";
import { loginHref, safeReturnPath } from "@/lib/client/return-to";
import { call } from "../helpers/routes";
import { ADMIN_PASSWORD, testRuntime } from "../helpers/runtime";

describe("login returns to the page that was asked for, never elsewhere", () => {
  it("keeps a path of this site, with its query", () => {
    expect(safeReturnPath("/machines/5")).toBe("/machines/5");
    expect(safeReturnPath("/history?page=2&machine=3")).toBe("/history?page=2&machine=3");
    expect(safeReturnPath("/events#open")).toBe("/events#open");
    expect(loginHref("/machines/5")).toBe("/login?next=%2Fmachines%2F5");
    expect(loginHref("/")).toBe("/login");
  });

  it.each([
    "//evil",
    "//evil.example/x",
    "http://x",
    "https://evil.example/",
    "/\\evil",
    "\\\\evil",
    "javascript:alert(1)",
    "evil",
    "/\t/evil",
    "/login",
    "/login?next=/x",
    "/api/machines",
    "",
  ])("refuses %j (the dashboard instead)", (raw) => {
    expect(safeReturnPath(raw)).toBe("/");
  });

  it("refuses what is not a string", () => {
    expect(safeReturnPath(null)).toBe("/");
    expect(safeReturnPath(undefined)).toBe("/");
    expect(safeReturnPath("/" + "a".repeat(3000))).toBe("/");
  });
});

describe("the login form without script (POST, 303)", () => {
  let ctx: Awaited<ReturnType<typeof testRuntime>>;
  beforeEach(async () => void (ctx = await testRuntime()));
  afterEach(() => ctx.cleanup());
  const form = (password: string, next: string) =>
    call(loginPost, {
      url: "/api/auth/login",
      rawBody: new URLSearchParams({ username: "admin", password, next }).toString(),
      contentType: "application/x-www-form-urlencoded",
    });

  it("goes to `next` when it is a path of this site, to / when it is not", async () => {
    expect((await form(ADMIN_PASSWORD, "/machines/3")).headers.get("location")).toBe("/machines/3");
    expect((await form(ADMIN_PASSWORD, "//evil")).headers.get("location")).toBe("/");
    expect((await form(ADMIN_PASSWORD, "http://x")).headers.get("location")).toBe("/");
  });

  it("a wrong password goes back to the login, keeping where to go after", async () => {
    const r = await form("wrong-password", "/events");
    expect(r.status).toBe(303);
    expect(r.headers.get("location")).toBe("/login?error=wrong&next=%2Fevents");
    expect((await form("wrong-password", "//evil")).headers.get("location")).toBe("/login?error=wrong");
  });
});
