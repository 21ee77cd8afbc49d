import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ByteQueue, ByteRing } from "./byte-queue";

const bytes = (...b: number[]) => Uint8Array.from(b);

describe("ByteQueue", () => {
  it("hands bytes back in order, in pieces of the size asked", () => {
    const q = new ByteQueue(10);
    q.push(bytes(1, 2, 3));
    q.push(bytes(4, 5));
    expect(q.length).toBe(5);
    expect(q.take(2)).toEqual({ data: bytes(1, 2), skipped: 0 });
    expect(q.take()).toEqual({ data: bytes(3, 4, 5), skipped: 0 });
    expect(q.take()).toEqual({ data: bytes(), skipped: 0 });
  });

  it("drops the oldest bytes past its capacity and reports them once", () => {
    const q = new ByteQueue(4);
    q.push(bytes(1, 2, 3));
    q.push(bytes(4, 5, 6));
    expect(q.skipped).toBe(2);
    expect(q.take()).toEqual({ data: bytes(3, 4, 5, 6), skipped: 2 });
    q.push(bytes(7, 8, 9, 10, 11, 12));
    expect(q.take(1)).toEqual({ data: bytes(9), skipped: 2 });
    expect(q.take()).toEqual({ data: bytes(10, 11, 12), skipped: 0 });
  });

  it("keeps the newest `capacity` bytes and counts every other one (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 32 }),
        fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 20 }),
        (capacity, pushes) => {
          const q = new ByteQueue(capacity);
          const all: number[] = [];
          for (const p of pushes) {
            q.push(p);
            all.push(...p);
          }
          const { data, skipped } = q.take();
          const kept = all.slice(Math.max(0, all.length - capacity));
          expect([...data]).toEqual(kept);
          expect(skipped).toBe(all.length - kept.length);
        },
      ),
    );
  });
});

describe("ByteRing", () => {
  it("keeps the newest bytes across wrap-around", () => {
    const r = new ByteRing(5);
    r.write(bytes(1, 2, 3));
    expect(r.contents()).toEqual(bytes(1, 2, 3));
    r.write(bytes(4, 5, 6, 7));
    expect(r.contents()).toEqual(bytes(3, 4, 5, 6, 7));
    expect(r.contents(2)).toEqual(bytes(6, 7));
    r.write(bytes(10, 11, 12, 13, 14, 15, 16));
    expect(r.contents()).toEqual(bytes(12, 13, 14, 15, 16));
  });

  it("always holds the tail of everything written (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(fc.uint8Array({ maxLength: 30 })),
        (cap, writes) => {
          const r = new ByteRing(cap);
          const all: number[] = [];
          for (const w of writes) {
            r.write(w);
            all.push(...w);
          }
          expect([...r.contents()]).toEqual(all.slice(Math.max(0, all.length - cap)));
        },
      ),
    );
  });
});
