/**
 * Tests derived from the table itself, not from hand lists: a command added to it is
 * checked the moment it is added.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { IpmiError } from "../ipmi-error";
import { COMMANDS, commandAt, commandById, isLaidOut } from "./index";

const laidOut = COMMANDS.filter(isLaidOut);

describe("the command table", () => {
  it("gives every command one key, one id and a privilege", () => {
    const ids = new Set<string>();
    for (const c of COMMANDS) {
      expect(commandAt(c.netFn, c.cmd, c.group), c.name).toBe(c);
      expect(commandAt(c.netFn | 1, c.cmd, c.group), `${c.name} by its response netfn`).toBe(c);
      expect(ids.has(c.id), `${c.id} twice`).toBe(false);
      ids.add(c.id);
      expect(commandById(c.id)).toBe(c);
      expect(c.id).toMatch(/^[a-z]+\.[a-z0-9-]+$/);
      expect(c.channels.length).toBeGreaterThan(0);
    }
  });

  it("lays out requests and responses whose length limits a message can carry", () => {
    expect(laidOut.length).toBeGreaterThan(20);
    for (const c of laidOut) {
      for (const l of [c.request, c.response]) {
        expect(l.minLength, c.name).toBeGreaterThanOrEqual(0);
        expect(l.maxLength, c.name).toBeGreaterThanOrEqual(l.minLength);
        expect(l.maxLength, c.name).toBeLessThanOrEqual(255);
      }
    }
  });

  // A request layout that dropped bits (an uncovered reserved bit, say) would let a handler
  // accept what it should refuse: every accepted request must pack back to its own bytes.
  it.each(laidOut.map((c) => [c.name, c] as const))("round-trips any request %s accepts", (_name, c) => {
    const max = Math.min(c.request.maxLength + 1, 64);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: max }), (data) => {
        let value: unknown;
        try {
          value = c.request.unpack(data);
        } catch (err) {
          // Refused by length only, as C7h or C8h.
          expect(err).toBeInstanceOf(IpmiError);
          expect([0xc7, 0xc8]).toContain((err as IpmiError).cc);
          return;
        }
        expect(c.request.pack(value as never)).toEqual(data);
      }),
      { numRuns: 300, seed: 0x1b3c },
    );
  });

  it.each(laidOut.map((c) => [c.name, c] as const))(
    "decodes any bytes of %s without throwing, naming every field",
    (_name, c) => {
      fc.assert(
        fc.property(fc.uint8Array({ minLength: 0, maxLength: 48 }), (data) => {
          for (const fields of [c.request.decode(data), c.response.decode(data)]) {
            expect(fields.some((f) => f.name === "(decoder error)")).toBe(false);
            for (const f of fields) expect(f.name.length).toBeGreaterThan(0);
          }
        }),
        { numRuns: 200, seed: 0x5eed },
      );
    },
  );
});
