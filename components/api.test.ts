import { afterEach, describe, expect, it, vi } from "vitest";
import {
  ApiRequestError,
  errorText,
  failureOf,
  messageOf,
  normalizeIssuePath,
  requestJson,
  setUnauthorizedHandler,
} from "./api";

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe("normalizeIssuePath", () => {
  it("reads dotted, slashed and array paths", () => {
    expect(normalizeIssuePath("match.dataPrefix")).toBe("match.dataPrefix");
    expect(normalizeIssuePath("/match/dataPrefix")).toBe("match.dataPrefix");
    expect(normalizeIssuePath(["action", "cc"])).toBe("action.cc");
    expect(normalizeIssuePath(["items", 0])).toBe("items.0");
    expect(normalizeIssuePath("")).toBe("");
    expect(normalizeIssuePath(undefined)).toBe("");
  });
});

describe("failureOf", () => {
  it("takes the server's error, issues and Retry-After", async () => {
    const res = new Response(
      JSON.stringify({ error: "invalid body", issues: [{ path: "match.netFn", message: "too big" }] }),
      { status: 429, headers: { "content-type": "application/json", "retry-after": "12" } },
    );
    const e = await failureOf(res);
    expect(e).toBeInstanceOf(ApiRequestError);
    expect(e.status).toBe(429);
    expect(e.message).toBe("invalid body");
    expect(e.issues).toEqual([{ path: "match.netFn", message: "too big" }]);
    expect(e.retryAfterSeconds).toBe(12);
    expect(messageOf(e)).toBe("invalid body (match.netFn: too big)");
  });

  it("keeps an invalid filter's position", async () => {
    const res = Response.json({ error: "unknown field 'cmdd'", position: 4 }, { status: 400 });
    const e = await failureOf(res);
    expect(e.position).toBe(4);
    expect((await failureOf(Response.json({ error: "x" }, { status: 400 }))).position).toBeNull();
  });

  it("falls back to the status line when the body is not the API's", async () => {
    const e = await failureOf(new Response("<html>", { status: 502, statusText: "Bad Gateway" }));
    expect(e.message).toBe("HTTP 502 Bad Gateway");
    expect(e.issues).toEqual([]);
  });
});

describe("errorText", () => {
  it("lists issues after the error", () => {
    expect(errorText("bad", [])).toBe("bad");
    expect(
      errorText("bad", [
        { path: "", message: "x" },
        { path: "a", message: "y" },
      ]),
    ).toBe("bad (x; a: y)");
  });
});

describe("requestJson", () => {
  it("sends JSON and reads JSON; 204 is undefined", async () => {
    const fetchMock = vi.fn(async (_url: string, init: RequestInit) => {
      if (init.method === "DELETE") return new Response(null, { status: 204 });
      return Response.json({ echo: JSON.parse(String(init.body)) });
    });
    vi.stubGlobal("fetch", fetchMock);
    expect(await requestJson("/api/x", { method: "POST", body: { a: 1 } })).toEqual({ echo: { a: 1 } });
    const init = fetchMock.mock.calls[0]![1];
    expect((init.headers as Record<string, string>)["content-type"]).toBe("application/json");
    expect(await requestJson("/api/x/1", { method: "DELETE" })).toBeUndefined();
  });

  it("calls the unauthorized handler on 401 unless told not to", async () => {
    vi.stubGlobal("fetch", async () => Response.json({ error: "sign in" }, { status: 401 }));
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    await expect(requestJson("/api/rules")).rejects.toMatchObject({ status: 401, message: "sign in" });
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(requestJson("/api/auth/login", { on401: "throw" })).rejects.toBeInstanceOf(ApiRequestError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it("does not treat 403 (a viewer) as signed out", async () => {
    vi.stubGlobal("fetch", async () => Response.json({ error: "viewers cannot do that" }, { status: 403 }));
    const onUnauthorized = vi.fn();
    setUnauthorizedHandler(onUnauthorized);
    await expect(requestJson("/api/rules", { method: "POST", body: {} })).rejects.toMatchObject({
      status: 403,
    });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });
});
