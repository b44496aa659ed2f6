import { afterEach, describe, expect, it, vi } from "vitest";
import { ApiError, fetcher, postJson } from "@/lib/client/fetcher";

function answer(status: number, body: string, url = "http://localhost:3000/api/x") {
  const res = new Response(body, { status, headers: { "content-type": "application/json" } });
  Object.defineProperty(res, "url", { value: url });
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => res),
  );
}
afterEach(() => vi.unstubAllGlobals());

describe("the client fetcher: a failed response is a failure whatever its JSON holds", () => {
  it.each([
    ["JSON without an error field", 502, '{"message":"bad gateway"}'],
    ["an empty object", 500, "{}"],
    ["an error that is not the API's shape", 503, '{"error":"overloaded"}'],
    ["JSON null", 500, "null"],
    ["no JSON at all", 504, "<html>gateway timeout</html>"],
  ])("%s: ApiError with the status", async (_what, status, body) => {
    answer(status, body);
    const e = await fetcher("/api/x").catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ApiError);
    expect(e).toMatchObject({ status, code: "http", message: `HTTP ${status}` });
    answer(status, body);
    await expect(postJson("/api/x", { a: 1 })).rejects.toBeInstanceOf(ApiError);
  });

  it("the API's own error shape keeps its code and message", async () => {
    answer(409, '{"error":{"code":"machine-online","message":"retro-10 is running"}}');
    await expect(postJson("/api/machines/10/reset")).rejects.toMatchObject({ status: 409, code: "machine-online", message: "retro-10 is running" });
  });

  it("a 2xx answer is its JSON", async () => {
    answer(200, '{"ok":true}');
    await expect(fetcher("/api/x")).resolves.toEqual({ ok: true });
  });
});
