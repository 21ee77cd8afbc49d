import { describe, expect, it } from "vitest";
import type { HeldRequestDto } from "../../server/contract/control";
import type { HeldResolutionNote } from "../live/state/held";
import {
  expiryText,
  formatRemaining,
  lingeringNotes,
  RESOLVED_LINGER_MS,
  remainingFraction,
  remainingMs,
  resolutionText,
} from "./heldFormat";

const held = (id: number, onExpiry: HeldRequestDto["onExpiry"] = "handler"): HeldRequestDto => ({
  id,
  busId: "bt0",
  seq: 1,
  netFn: 6,
  lun: 0,
  cmd: 1,
  request: "",
  ruleId: 1,
  heldAt: 1000,
  deadline: 6000,
  onExpiry,
  suggested: null,
  suggestedNote: null,
});

const note = (overrides: Partial<HeldResolutionNote>): HeldResolutionNote => ({
  id: 1,
  held: held(1),
  resolution: "answered",
  by: null,
  message: null,
  at: 0,
  ...overrides,
});

describe("countdown", () => {
  it("counts to the server's deadline on the local clock", () => {
    expect(remainingMs(6000, 0, 2000)).toBe(4000);
    // Our clock runs 500 ms ahead of the server's.
    expect(remainingMs(6000, 500, 2000)).toBe(4500);
  });

  it("formats the time left", () => {
    expect(formatRemaining(4250)).toBe("4.2 s");
    expect(formatRemaining(9999)).toBe("9.9 s");
    expect(formatRemaining(42_500)).toBe("42 s");
    expect(formatRemaining(125_000)).toBe("2:05");
    expect(formatRemaining(0)).toBe("expired");
    expect(formatRemaining(-5)).toBe("expired");
    expect(formatRemaining(Number.NaN)).toBe("expired");
  });

  it("gives the fraction left for the bar, clamped", () => {
    expect(remainingFraction(held(1), 2500)).toBe(0.5);
    expect(remainingFraction(held(1), 9000)).toBe(1);
    expect(remainingFraction(held(1), -1)).toBe(0);
    expect(remainingFraction({ heldAt: 5, deadline: 5 }, 10)).toBe(0);
  });

  it("says what happens at the deadline", () => {
    expect(expiryText("handler")).toMatch(/handler answers/);
    expect(expiryText("timeout")).toMatch(/C3h/);
  });
});

describe("resolutionText", () => {
  it("says already answered for a conflict, in the server's words when it has some", () => {
    expect(resolutionText(note({ resolution: "conflict" }))).toBe("Already answered.");
    expect(resolutionText(note({ resolution: "conflict", by: "bob" }))).toBe("Already answered by bob.");
    expect(
      resolutionText(note({ resolution: "conflict", message: "held request 1 was already answered" })),
    ).toBe("Held request 1 was already answered");
    expect(resolutionText(note({ resolution: "conflict", message: "no held request 1" }))).toBe(
      "Already answered (no held request 1)",
    );
  });

  it("names who answered, passed or dropped, and what expiry did", () => {
    expect(resolutionText(note({ resolution: "answered", by: "bob" }))).toBe("Answered by bob.");
    expect(resolutionText(note({ resolution: "passed", by: "bob" }))).toBe("Passed to the handler by bob.");
    expect(resolutionText(note({ resolution: "dropped", by: "bob" }))).toMatch(/^Dropped by bob/);
    expect(resolutionText(note({ resolution: "expired" }))).toBe("Expired: the handler answered.");
    expect(resolutionText(note({ resolution: "expired", held: held(1, "timeout") }))).toMatch(/C3h/);
  });
});

describe("lingeringNotes", () => {
  it("keeps young notes for requests no longer queued", () => {
    const notes = [note({ id: 1, at: 0 }), note({ id: 2, at: 900 }), note({ id: 3, at: 950 })];
    const now = RESOLVED_LINGER_MS + 500;
    expect(lingeringNotes(notes, [{ id: 3 }], now).map((n) => n.id)).toEqual([2]);
  });
});
