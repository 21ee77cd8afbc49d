import { describe, expect, it } from "vitest";
import { loginHref, parseRetryAfter, rateLimitText, safeNext, setupHref } from "./paths";

describe("safeNext", () => {
  it("keeps paths on this site, with their query", () => {
    expect(safeNext("/held")).toBe("/held");
    expect(safeNext("/rules?x=1")).toBe("/rules?x=1");
    expect(safeNext(["/audit", "/x"])).toBe("/audit");
  });

  it("refuses other origins, odd paths and the sign-in pages", () => {
    for (const bad of [
      undefined,
      null,
      "",
      "held",
      "//evil.example",
      "/\\evil.example",
      "https://evil.example/",
      "javascript:alert(1)",
      "/login",
      "/login?next=/held",
      "/setup",
      "/a\nb",
    ]) {
      expect(safeNext(bad)).toBe("/");
    }
  });
});

describe("loginHref / setupHref", () => {
  it("carries where to come back to, and whether the session ended", () => {
    expect(loginHref("/")).toBe("/login");
    expect(loginHref("/held")).toBe("/login?next=%2Fheld");
    expect(loginHref("/rules?x=1", { signedOut: true })).toBe("/login?next=%2Frules%3Fx%3D1&signedOut=1");
    expect(loginHref("//evil", { signedOut: true })).toBe("/login?signedOut=1");
    expect(setupHref("/")).toBe("/setup");
    expect(setupHref("/held")).toBe("/setup?next=%2Fheld");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    expect(parseRetryAfter("30")).toBe(30);
    expect(parseRetryAfter(" 5 ")).toBe(5);
    const now = Date.parse("2024-01-01T00:00:00Z");
    expect(parseRetryAfter("Mon, 01 Jan 2024 00:00:42 GMT", now)).toBe(42);
    expect(parseRetryAfter("Sun, 31 Dec 2023 00:00:00 GMT", now)).toBe(0);
  });

  it("is null when absent or unreadable", () => {
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter(undefined)).toBeNull();
    expect(parseRetryAfter("")).toBeNull();
    expect(parseRetryAfter("soon")).toBeNull();
  });
});

describe("rateLimitText", () => {
  it("says how long to wait", () => {
    expect(rateLimitText(30)).toBe("Too many sign-in attempts. Try again in 30 s.");
    expect(rateLimitText(1)).toBe("Too many sign-in attempts. Try again in a second.");
    expect(rateLimitText(600)).toBe("Too many sign-in attempts. Try again in 10 min.");
    expect(rateLimitText(null, "slow down")).toBe("slow down. Try again later.");
  });
});
