import { describe, expect, it } from "vitest";
import type { ExchangeLogWriterHealth } from "@/server/contract/api";
import { logBannerText } from "./logBanner";

const writer = (w: Partial<ExchangeLogWriterHealth>): { log: never } =>
  ({
    log: {
      sizeBytes: 1,
      oldestId: 1,
      oldestReceivedAt: 1,
      retention: { days: null, rows: null, pruned: 0 },
      writer: {
        status: "ok",
        reason: null,
        degradedSince: null,
        buffered: 0,
        bufferLimit: 100_000,
        dropped: 0,
        lastDropped: null,
        ...w,
      },
    },
  }) as never;

describe("the exchange log banner", () => {
  it("says nothing while the log is fine, or for a server without the field", () => {
    expect(logBannerText(writer({}))).toBeNull();
    expect(logBannerText({})).toBeNull();
    expect(logBannerText(null)).toBeNull();
  });

  it("says why the log is degraded, what waits and what was lost", () => {
    expect(
      logBannerText(
        writer({ status: "degraded", reason: "database or disk is full", buffered: 1234, degradedSince: 5 }),
      ),
    ).toBe("Exchange log degraded: database or disk is full. 1,234 of 100,000 buffered.");
    expect(
      logBannerText(
        writer({
          status: "degraded",
          reason: "database is locked",
          buffered: 100_000,
          dropped: 7,
          lastDropped: { firstId: 10, lastId: 16, count: 7 },
        }),
      ),
    ).toBe(
      "Exchange log degraded: database is locked. 100,000 of 100,000 buffered; 7 exchanges not logged since start (last ids 10–16).",
    );
  });

  it("keeps saying what was lost after it is back to ok", () => {
    expect(logBannerText(writer({ dropped: 1, lastDropped: { firstId: 3, lastId: 3, count: 1 } }))).toBe(
      "Exchange log: 1 exchange not logged since start (last ids 3–3).",
    );
  });
});
