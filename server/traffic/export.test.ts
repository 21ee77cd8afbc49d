import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { ExportQuery } from "../contract/api";
import { type ExchangeDto, toExchangeDto } from "../contract/exchange";
import { createTestDatabase, type TestDatabase } from "../persistence/test-database";
import { EXPORT_PAGE_SIZE, exportExchanges } from "./export";
import { CSV_COLUMNS } from "./formats";
import { insertExchanges, MAX_ROWS_PER_STATEMENT } from "./log-writer";
import { concatBytes, exchangeHpm2Records, LINKTYPE_IPMI_HPM_2, pcapGlobalHeader } from "./pcap";
import { BASE_TIME, makeExchange, makeExchanges } from "./test-exchanges";

async function collect<T>(chunks: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const chunk of chunks) out.push(chunk);
  return out;
}

async function exportText(t: TestDatabase, query: ExportQuery, pageSize?: number): Promise<string> {
  return (await collect(exportExchanges(t.db, query, pageSize))).join("");
}

/** CSV data lines (notes here hold no line breaks) and their first field. */
function csvIds(text: string): number[] {
  const lines = text.split("\r\n");
  expect(lines.at(-1)).toBe("");
  expect(lines[0]).toBe(CSV_COLUMNS.join(","));
  return lines.slice(1, -1).map((l) => Number(l.split(",")[0]));
}

function ndjsonRecords(text: string): ExchangeDto[] {
  if (text === "") return [];
  expect(text.endsWith("\n")).toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((l) => JSON.parse(l) as ExchangeDto);
}

async function seed(t: TestDatabase, count: number) {
  const records = makeExchanges(1, count, (id) => ({
    ...(id % 4 === 0 ? { busId: "lan0", busKind: "lan" as const } : {}),
    ...(id % 9 === 0 ? { status: "error" as const, cc: 0xc1 } : {}),
  }));
  for (let i = 0; i < records.length; i += MAX_ROWS_PER_STATEMENT) {
    await insertExchanges(t.db, records.slice(i, i + MAX_ROWS_PER_STATEMENT));
  }
  return records;
}

describe("exportExchanges", () => {
  let t: TestDatabase;
  beforeEach(async () => {
    t = await createTestDatabase();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  it("exports an empty log as a bare header (CSV) or nothing (NDJSON)", async () => {
    expect(await exportText(t, { format: "csv" })).toBe(`${CSV_COLUMNS.join(",")}\r\n`);
    expect(await collect(exportExchanges(t.db, { format: "ndjson" }))).toEqual([]);
  });

  it("streams every record oldest first, one chunk per page", async () => {
    const count = 2 * EXPORT_PAGE_SIZE + 345;
    const records = await seed(t, count);

    const csvChunks = await collect(exportExchanges(t.db, { format: "csv" }));
    expect(csvChunks).toHaveLength(1 + 3);
    expect(csvIds(csvChunks.join(""))).toEqual(records.map((x) => x.id));

    const ndjsonChunks = await collect(exportExchanges(t.db, { format: "ndjson" }));
    expect(ndjsonChunks).toHaveLength(3);
    const dtos = ndjsonRecords(ndjsonChunks.join(""));
    expect(dtos).toHaveLength(count);
    expect(dtos).toEqual(records.map(toExchangeDto));
  });

  it("ends after the last page when the log is a whole number of pages", async () => {
    await seed(t, 30);
    const chunks = await collect(exportExchanges(t.db, { format: "ndjson" }, 10));
    expect(chunks).toHaveLength(3);
    expect(ndjsonRecords(chunks.join(""))).toHaveLength(30);
  });

  it("streams pcap (HPM.2): the global header, then one chunk of records per page", async () => {
    const records = await seed(t, 25);
    const chunks = await collect(exportExchanges(t.db, { format: "pcap" }, 10));
    expect(chunks).toHaveLength(1 + 3);
    expect(chunks.every((c) => c instanceof Uint8Array)).toBe(true);
    const bytes = concatBytes(chunks as Uint8Array[]);
    expect(Array.from(bytes.subarray(0, 24))).toEqual(Array.from(pcapGlobalHeader(LINKTYPE_IPMI_HPM_2)));
    expect(Array.from(bytes.subarray(24))).toEqual(
      Array.from(concatBytes(records.flatMap(exchangeHpm2Records))),
    );
  });

  it("respects from/to on receivedAt, both inclusive, as ms or parsed ISO dates", async () => {
    const records = await seed(t, 500);
    // receivedAt of id n is BASE_TIME + n*10 + 0.25
    const from = BASE_TIME + 100 * 10;
    const to = BASE_TIME + 200 * 10 + 0.25;
    const expected = records.filter((x) => x.receivedAt >= from && x.receivedAt <= to).map((x) => x.id);
    expect(expected[0]).toBe(100);
    expect(expected.at(-1)).toBe(200);

    expect(csvIds(await exportText(t, { format: "csv", from, to }, 7))).toEqual(expected);
    const dtos = ndjsonRecords(await exportText(t, { format: "ndjson", from, to }, 7));
    expect(dtos.map((x) => x.id)).toEqual(expected);

    expect(csvIds(await exportText(t, { format: "csv", from }))).toEqual(records.slice(99).map((x) => x.id));
    expect(csvIds(await exportText(t, { format: "csv", to }))).toEqual(
      records.slice(0, 200).map((x) => x.id),
    );
    expect(csvIds(await exportText(t, { format: "csv", from: to + 1, to: to + 5 }))).toEqual([]);
    expect(csvIds(await exportText(t, { format: "csv", from: 0, to: BASE_TIME }))).toEqual([]);
  });

  it("combines the time range with the filters", async () => {
    const records = await seed(t, 400);
    const from = BASE_TIME + 50 * 10;
    const to = BASE_TIME + 350 * 10;
    const keep = (x: (typeof records)[number]) =>
      x.receivedAt >= from && x.receivedAt <= to && x.busId === "lan0" && x.status === "error";
    const expected = records.filter(keep).map((x) => x.id);
    expect(expected.length).toBeGreaterThan(3);
    const query: ExportQuery = { format: "csv", from, to, bus: "lan0", status: "error" };
    expect(csvIds(await exportText(t, query, 2))).toEqual(expected);
    expect(ndjsonRecords(await exportText(t, { ...query, format: "ndjson" }, 2)).map((x) => x.id)).toEqual(
      expected,
    );
    expect(csvIds(await exportText(t, { format: "csv", netFn: 0x06, cmd: 0x01 }))).toHaveLength(400);
    expect(csvIds(await exportText(t, { format: "csv", netFn: 0x0a }))).toEqual([]);
  });

  it("stops at the newest record present when it started", async () => {
    await seed(t, 25);
    const chunks = exportExchanges(t.db, { format: "ndjson" }, 10)[Symbol.asyncIterator]();
    const first = await chunks.next();
    await insertExchanges(t.db, makeExchanges(26, 40));
    let text = first.value as string;
    for (let next = await chunks.next(); !next.done; next = await chunks.next()) text += next.value;
    expect(ndjsonRecords(text).map((x) => x.id)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
  });

  it("round-trips bytes: an empty request and a 255-byte response", async () => {
    const response = Uint8Array.from({ length: 255 }, (_, i) => (i * 7) & 0xff);
    await insertExchanges(t.db, [makeExchange(1, { request: new Uint8Array(0), response })]);
    const [dto] = ndjsonRecords(await exportText(t, { format: "ndjson" }));
    expect(dto?.request).toBe("");
    expect(dto?.response?.split(" ").map((h) => Number.parseInt(h, 16))).toEqual(Array.from(response));
    const csv = (await exportText(t, { format: "csv" })).split("\r\n")[1]!.split(",");
    expect(csv[CSV_COLUMNS.indexOf("request")]).toBe("");
    expect(csv[CSV_COLUMNS.indexOf("response")]).toBe(dto?.response);
  });
});
