import { describe, expect, it } from "vitest";
import type { LiveAction } from "./actions";
import { events, exchangeEvents, held, reduceAll, rule, snapshot, snapshotAction } from "./fixtures";
import { type HeldState, heldReducer, INITIAL_HELD, RESOLUTION_NOTES } from "./held";

const ids = (list: readonly { id: number }[]) => list.map((x) => x.id);
const run = (state: HeldState, ...actions: LiveAction[]) => reduceAll(heldReducer, state, ...actions);
const withHeld = (...list: number[]) =>
  run(INITIAL_HELD, snapshotAction(snapshot([], { held: list.map((id) => held(id)) })));
const dismiss = (id: number, at = 0, conflict: { message: string | null } | null = null): LiveAction => ({
  type: "held/dismiss",
  id,
  conflict,
  at,
});

describe("held slice", () => {
  it("starts empty, from nowhere, with no clock offset", () => {
    expect(INITIAL_HELD.list).toEqual([]);
    expect(INITIAL_HELD.source).toBe("none");
    expect(INITIAL_HELD.resolutions).toEqual([]);
    expect(INITIAL_HELD.clockOffsetMs).toBe(0);
  });

  it("takes the snapshot's queue, from the socket", () => {
    const s = withHeld(7);
    expect(ids(s.list)).toEqual([7]);
    expect(s.source).toBe("live");
  });

  it("queues held requests once each and measures the clock offset from fresh ones", () => {
    let s = run(
      withHeld(),
      events(
        [
          { type: "held", held: held(7) },
          { type: "held", held: held(7) },
        ],
        10_250,
      ),
    );
    expect(ids(s.list)).toEqual([7]);
    expect(s.clockOffsetMs).toBe(250);
    s = run(s, events([{ type: "held", held: held(8, { heldAt: 20_100 }) }], 20_000));
    expect(ids(s.list)).toEqual([7, 8]);
    expect(s.clockOffsetMs).toBe(-100);
  });

  it("removes a resolved request and keeps a note of who did what", () => {
    let s = run(
      withHeld(7, 8),
      events([{ type: "hold-resolved", id: 7, resolution: "answered", by: "bob" }], 50_000),
    );
    expect(ids(s.list)).toEqual([8]);
    expect(s.resolutions).toEqual([
      { id: 7, held: held(7), resolution: "answered", by: "bob", message: null, at: 50_000 },
    ]);
    // A late `held` event for a request already resolved does not bring it back.
    s = run(s, events([{ type: "held", held: held(7) }], 50_100));
    expect(ids(s.list)).toEqual([8]);
  });

  it("ignores a hold-resolved for a request it never had", () => {
    const before = withHeld(7);
    const s = run(before, events([{ type: "hold-resolved", id: 99, resolution: "expired", by: null }]));
    expect(ids(s.list)).toEqual([7]);
    expect(s.resolutions).toEqual([]);
    expect(s).toBe(before);
  });

  it("keeps the newest RESOLUTION_NOTES notes", () => {
    const n = RESOLUTION_NOTES + 3;
    const all = Array.from({ length: n }, (_, i) => i + 1);
    const s = run(
      withHeld(...all),
      events(
        all.map((id) => ({ type: "hold-resolved" as const, id, resolution: "expired" as const, by: null })),
      ),
    );
    expect(s.list).toEqual([]);
    expect(s.resolutions).toHaveLength(RESOLUTION_NOTES);
    expect(s.resolutions.at(-1)!.id).toBe(n);
    expect(s.resolutions[0]!.id).toBe(4);
  });

  it("dismisses a request this tab answered without a note, also when the event follows", () => {
    let s = run(withHeld(7), dismiss(7));
    expect(s.list).toEqual([]);
    expect(s.dismissed.has(7)).toBe(true);
    s = run(s, events([{ type: "hold-resolved", id: 7, resolution: "answered", by: "admin" }]));
    expect(s.resolutions).toEqual([]);
    // The event settles it: nothing left to remember.
    expect(s.dismissed.has(7)).toBe(false);
  });

  it("drops the note when our own answer's response comes after its event", () => {
    let s = run(withHeld(7), events([{ type: "hold-resolved", id: 7, resolution: "answered", by: "admin" }]));
    expect(s.resolutions).toHaveLength(1);
    s = run(s, dismiss(7));
    expect(s.resolutions).toEqual([]);
  });

  it("keeps a conflict note (409) on the card, with who was first when the event said", () => {
    let s = run(withHeld(7, 8), dismiss(7, 1, { message: "held request 7 was already answered" }));
    expect(ids(s.list)).toEqual([8]);
    expect(s.resolutions[0]).toMatchObject({
      id: 7,
      resolution: "conflict",
      by: null,
      message: "held request 7 was already answered",
      at: 1,
    });

    s = run(
      s,
      events([{ type: "hold-resolved", id: 8, resolution: "passed", by: "bob" }], 2),
      dismiss(8, 3, { message: "already answered" }),
    );
    expect(s.resolutions.find((n) => n.id === 8)).toMatchObject({ resolution: "conflict", by: "bob", at: 3 });
    expect(ids(s.resolutions)).toEqual([7, 8]);
  });

  it("takes the REST queue only while the socket has not delivered one live", () => {
    let s = run(INITIAL_HELD, { type: "held/rest", held: [held(5)], socketLive: false });
    expect(s.source).toBe("rest");
    expect(ids(s.list)).toEqual([5]);
    s = run(s, snapshotAction(snapshot([], { held: [] })));
    const live = s;
    s = run(s, { type: "held/rest", held: [held(6)], socketLive: true });
    expect(s).toBe(live);
    expect(s.list).toEqual([]);
    s = run(s, { type: "held/rest", held: [held(6)], socketLive: false });
    expect(ids(s.list)).toEqual([6]);
    expect(s.source).toBe("rest");
  });

  it("returns the same state for what is not its", () => {
    const s = run(withHeld(7), events([{ type: "held", held: held(7) }], 10_250));
    const unrelated: LiveAction[] = [
      events(exchangeEvents([1])),
      events([{ type: "rules", rules: [rule(1, 0)] }]),
      // Seen before, same clock offset.
      events([{ type: "held", held: held(7) }], 10_250),
      { type: "connection", status: "disconnected", error: null },
      // Nothing to dismiss.
      dismiss(99),
    ];
    for (const action of unrelated) expect(heldReducer(s, action)).toBe(s);
  });

  it("never changes the state it is given", () => {
    const before = run(withHeld(7, 8), dismiss(8));
    const copy = structuredClone(before);
    run(
      before,
      events([
        { type: "held", held: held(9) },
        { type: "hold-resolved", id: 7, resolution: "dropped", by: "bob" },
        { type: "hold-resolved", id: 8, resolution: "answered", by: "admin" },
      ]),
      dismiss(9, 0, { message: "late" }),
    );
    expect(before).toEqual(copy);
  });
});
