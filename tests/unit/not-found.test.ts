import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { NoSuchPc, pcIdOf } from "@/components/ui/no-such-pc";

describe("the 404 of a PC's page", () => {
  it("knows a PC address and its id, and nothing else", () => {
    expect(pcIdOf("/machines/999")).toBe("999");
    expect(pcIdOf("/machines/999/")).toBe("999");
    expect(pcIdOf("/machines/a%20b")).toBe("a b");
    expect(pcIdOf("/machines/%E0%A4%A")).toBe("%E0%A4%A");
    expect(pcIdOf("/machines/1/usage")).toBeNull();
    expect(pcIdOf("/no/such/page")).toBeNull();
    expect(pcIdOf(null)).toBeNull();
  });

  it("names the PC id and offers the way back", () => {
    const html = renderToStaticMarkup(createElement(NoSuchPc, { id: "999" }));
    expect(html).toContain(">No PC with id 999</h1>");
    expect(html).toContain("Back to the dashboard");
  });
});
