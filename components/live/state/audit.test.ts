import { describe, expect, it } from "vitest";
import { AUDIT_CAPACITY, auditReducer, INITIAL_AUDIT } from "./audit";
import { audit, events, exchangeEvents, snapshot, snapshotAction } from "./fixtures";

const ids = (list: readonly { id: number }[]) => list.map((x) => x.id);

describe("audit slice", () => {
  it("prepends audit entries, once each, newest first, capped", () => {
    let s = auditReducer(
      INITIAL_AUDIT,
      events([
        { type: "audit", entry: audit(1) },
        { type: "audit", entry: audit(2) },
        { type: "audit", entry: audit(2) },
      ]),
    );
    expect(ids(s.entries)).toEqual([2, 1]);
    s = auditReducer(
      s,
      events(
        Array.from({ length: AUDIT_CAPACITY + 5 }, (_, i) => ({
          type: "audit" as const,
          entry: audit(10 + i),
        })),
      ),
    );
    expect(s.entries).toHaveLength(AUDIT_CAPACITY);
    expect(s.entries[0]!.id).toBe(10 + AUDIT_CAPACITY + 4);
  });

  it("keeps its entries across a reconnect (the snapshot carries none)", () => {
    const s = auditReducer(INITIAL_AUDIT, events([{ type: "audit", entry: audit(1) }]));
    expect(auditReducer(s, snapshotAction(snapshot([1])))).toBe(s);
  });

  it("returns the same state for what is not its", () => {
    const s = auditReducer(INITIAL_AUDIT, events([{ type: "audit", entry: audit(1) }]));
    expect(auditReducer(s, events(exchangeEvents([1, 2])))).toBe(s);
    expect(auditReducer(s, events([{ type: "audit", entry: audit(1) }]))).toBe(s);
    expect(auditReducer(s, { type: "signed-out", reason: "signed out" })).toBe(s);
  });
});
