/**
 * What the BMC registers, checked against the command table: derived from the handlers,
 * not from a hand list, so a command added without its layouts fails here.
 */
import { describe, expect, it } from "vitest";
import { commandAt, decodeRequest, decodeResponse, isLaidOut } from "../../ipmi/commands";
import { EXTRA, TRUNCATED } from "../../ipmi/layout/decoded";
import { type GoldenRequest, play, readGolden } from "./golden";
import { goldenBmc } from "./golden-bmc";

const bmc = goldenBmc();

describe("the BMC's handlers and the command table", () => {
  it.each(bmc.handlers.map((h) => [h.id, h] as const))("%s answers for a laid-out table entry", (_id, h) => {
    const entry = commandAt(h.netFn, h.cmd, h.group);
    expect(entry, "the table knows the command").toBeDefined();
    expect(h.command, "built with handlerFor from its table entry").toBe(entry);
    expect(entry && isLaidOut(entry), "request and response layouts").toBe(true);
    expect(h.id).toBe(entry?.id);
    expect(h.description).toBe(entry?.name);
    expect(h.privilege).toBe(entry?.privilege);
  });

  // Every answer the default profile gives to the golden replay, then to one request of
  // each command's shortest length: the dashboard shows each as named fields, with
  // nothing left over and nothing missing.
  it("decodes every request it accepts and every answer it gives with no unknown or missing bytes", async () => {
    const requests: GoldenRequest[] = [
      ...readGolden(),
      ...bmc.keys().map((k) => ({
        advanceMs: 0,
        bus: "bt" as const,
        netFn: k.netFn,
        cmd: k.cmd,
        data: Uint8Array.from(k.sample),
      })),
    ];
    const answeredOk = new Set<string>();
    const ownCodeOnly = new Set<string>();
    const bad: string[] = [];
    // Commands that need a reservation first (31.4): delete the oldest SEL entry, then clear the SEL.
    const withReservation = async (build: (reservation: number[]) => number[], cmd: number) => {
      const reservation = await play(bmc, {
        advanceMs: 0,
        bus: "bt",
        netFn: 0x0a,
        cmd: 0x42,
        data: new Uint8Array(),
      });
      return {
        advanceMs: 0,
        bus: "bt" as const,
        netFn: 0x0a,
        cmd,
        data: Uint8Array.from(build([...reservation.response])),
      };
    };
    const lines = [];
    for (const r of requests) lines.push(await play(bmc, r));
    // Get SEL Entry 0000h (the first) tells which record to delete.
    const first = await play(bmc, {
      advanceMs: 0,
      bus: "bt",
      netFn: 0x0a,
      cmd: 0x43,
      data: Uint8Array.of(0, 0, 0, 0, 0, 0xff),
    });
    const firstId = [...first.response.subarray(2, 4)];
    lines.push(await play(bmc, await withReservation((res) => [...res, ...firstId], 0x46)));
    lines.push(await play(bmc, await withReservation((res) => [...res, 0x43, 0x4c, 0x52, 0xaa], 0x47)));
    for (const l of lines) {
      const entry = commandAt(l.netFn, l.cmd);
      if (entry && l.cc !== 0x00 && entry.completionCodes[l.cc] !== undefined) ownCodeOnly.add(entry.id);
      if (l.cc !== 0x00 || !entry || !isLaidOut(entry)) continue;
      answeredOk.add(entry.id);
      const request = decodeRequest(l.netFn, l.cmd, l.data) ?? [];
      if (request.some((f) => f.name === EXTRA || f.name === TRUNCATED)) bad.push(`${entry.name} request`);
      const response = decodeResponse(l.netFn, l.cmd, 0x00, l.response, l.data) ?? [];
      if (l.response.length > 0 && response.length === 0) bad.push(`${entry.name}: response not decoded`);
      if (response.some((f) => f.name === EXTRA || f.name === TRUNCATED || f.name === "(decoder error)")) {
        bad.push(
          `${entry.name} response ${[...l.response].map((b) => b.toString(16).padStart(2, "0")).join(" ")}`,
        );
      }
    }
    expect(bad).toEqual([]);
    // So that every handler was checked: each answered 00h at least once, or (a queue that
    // is always empty) only its own command-specific completion codes.
    const unchecked = bmc.handlers
      .map((h) => h.id)
      .filter((id) => !answeredOk.has(id) && !ownCodeOnly.has(id));
    expect(unchecked).toEqual([]);
  });
});
