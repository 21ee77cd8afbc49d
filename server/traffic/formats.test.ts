import { describe, expect, it } from "vitest";
import { toExchangeDto } from "../contract/exchange";
import {
  CSV_COLUMNS,
  CSV_EOL,
  csvField,
  csvHeader,
  exchangeCommandName,
  exchangeCsvFields,
  exchangeCsvLine,
  exchangeNdjsonLine,
  isoTime,
  latencyMs,
} from "./formats";
import { makeExchange } from "./test-exchanges";

/** A small RFC 4180 reader, to check the writer against. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      record.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      i++;
    } else field += c;
  }
  if (field !== "" || record.length > 0) throw new Error("CSV does not end with CRLF");
  return records;
}

describe("csvField", () => {
  it("leaves plain text alone and writes null as empty", () => {
    expect(csvField("plain text")).toBe("plain text");
    expect(csvField(42)).toBe("42");
    expect(csvField(null)).toBe("");
    expect(csvField(undefined)).toBe("");
    expect(csvField("")).toBe("");
  });

  it("quotes commas, quotes and line breaks, doubling quotes", () => {
    expect(csvField("a,b")).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField("line1\nline2")).toBe('"line1\nline2"');
    expect(csvField("cr\rlf")).toBe('"cr\rlf"');
    expect(csvField('"')).toBe('""""');
  });
});

describe("exchange CSV", () => {
  it("has the header in the documented column order", () => {
    expect(csvHeader()).toBe(
      "id,received_at,answered_at,bus,bus_kind,origin,seq,netfn,netfn_name,lun,cmd,cmd_name," +
        "request,cc,cc_name,response,latency_ms,handler,status,rule,peer,user,privilege,session_id,note\r\n",
    );
    expect(CSV_COLUMNS).toHaveLength(25);
  });

  it("writes an answered exchange", () => {
    const x = makeExchange(42, {
      receivedAt: Date.UTC(2026, 10, 23, 21, 13, 5, 123) + 0.75,
      answeredAt: Date.UTC(2026, 10, 23, 21, 13, 5, 124),
      seq: 7,
      request: Uint8Array.of(0x01, 0xab),
      response: Uint8Array.of(0x20, 0x81),
      latencyUs: 1234,
    });
    const line = exchangeCsvLine(x);
    expect(line.endsWith(CSV_EOL)).toBe(true);
    expect(parseCsv(line)).toEqual([
      [
        "42",
        "2026-11-23T21:13:05.123Z",
        "2026-11-23T21:13:05.124Z",
        "bt0",
        "bt",
        "host",
        "7",
        "06",
        "App",
        "0",
        "01",
        "Get Device ID",
        "01 ab",
        "00",
        "Command Completed Normally",
        "20 81",
        "1.234",
        "app.get-device-id",
        "ok",
        "",
        "",
        "",
        "",
        "",
        "",
      ],
    ]);
  });

  it("writes who sent a LAN exchange, and names a handshake record and its RMCP+ status", () => {
    const x = makeExchange(9, {
      busId: "lan0",
      busKind: "lan",
      peer: "127.0.0.1:50123",
      user: "admin",
      privilege: "admin",
      sessionId: 0x1234,
    });
    expect(parseCsv(exchangeCsvLine(x))[0]!.slice(20, 24)).toEqual([
      "127.0.0.1:50123",
      "admin",
      "admin",
      "4660",
    ]);
    const rakp = makeExchange(10, { payload: "rakp-1", netFn: null, cmd: null, cc: 0x0d, handlerId: null });
    const fields = parseCsv(exchangeCsvLine(rakp))[0]!;
    expect(fields[11]).toBe("RAKP 1 / RAKP 2");
    expect(fields[14]).toBe("Unauthorized name");
  });

  it("leaves null fields empty", () => {
    const malformed = makeExchange(3, {
      seq: null,
      netFn: null,
      lun: null,
      cmd: null,
      request: new Uint8Array(0),
      cc: null,
      response: null,
      handlerId: null,
      status: "malformed",
      answeredAt: null,
      latencyUs: null,
      note: null,
      frame: Uint8Array.of(0xff),
    });
    const [fields] = parseCsv(exchangeCsvLine(malformed));
    const byName = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, fields?.[i]]));
    expect(byName).toMatchObject({
      answered_at: "",
      seq: "",
      netfn: "",
      netfn_name: "",
      lun: "",
      cmd: "",
      cmd_name: "",
      request: "",
      cc: "",
      cc_name: "",
      response: "",
      latency_ms: "",
      handler: "",
      status: "malformed",
      note: "",
    });
    expect(exchangeCsvFields(malformed)).toHaveLength(CSV_COLUMNS.length);
  });

  it("quotes notes with commas, quotes and line breaks so they read back intact", () => {
    const note = 'handler threw: Error: bad "thing", then\r\nmore\nlines';
    const x = makeExchange(5, { status: "error", cc: 0xff, note });
    const line = exchangeCsvLine(x);
    const records = parseCsv(csvHeader() + line + exchangeCsvLine(makeExchange(6)));
    expect(records).toHaveLength(3);
    expect(records[1]?.[CSV_COLUMNS.indexOf("note")]).toBe(note);
    expect(records[1]?.[CSV_COLUMNS.indexOf("cc_name")]).toBe("Unspecified error");
    expect(records[2]?.[0]).toBe("6");
  });

  it("names commands, falling back to the hex label, and group extension commands by body code", () => {
    expect(exchangeCommandName({ netFn: 0x06, cmd: 0x01, request: new Uint8Array(0) })).toBe("Get Device ID");
    expect(exchangeCommandName({ netFn: 0x07, cmd: 0x01, request: new Uint8Array(0) })).toBe("Get Device ID");
    expect(exchangeCommandName({ netFn: 0x30, cmd: 0x5a, request: new Uint8Array(0) })).toBe("Cmd 5Ah");
    expect(exchangeCommandName({ netFn: null, cmd: 0x01, request: new Uint8Array(0) })).toBeNull();
    const dcmi = exchangeCommandName({ netFn: 0x2c, cmd: 0x01, request: Uint8Array.of(0xdc) });
    expect(dcmi).not.toBe("Cmd 01h");
    expect(exchangeCommandName({ netFn: 0x2c, cmd: 0x01, request: new Uint8Array(0) })).toBe("Cmd 01h");
  });
});

describe("field formats", () => {
  it("writes ISO 8601 UTC with milliseconds", () => {
    expect(isoTime(0)).toBe("1970-01-01T00:00:00.000Z");
    expect(isoTime(Date.UTC(2026, 0, 2, 3, 4, 5, 6) + 0.999)).toBe("2026-01-02T03:04:05.006Z");
    expect(isoTime(null)).toBeNull();
  });

  it("writes latency in ms with three decimals", () => {
    expect(latencyMs(0)).toBe("0.000");
    expect(latencyMs(1)).toBe("0.001");
    expect(latencyMs(1500)).toBe("1.500");
    expect(latencyMs(5_000_000)).toBe("5000.000");
    expect(latencyMs(null)).toBeNull();
  });
});

describe("exchange NDJSON", () => {
  it("writes the ExchangeDto as one JSON line", () => {
    const x = makeExchange(8, { note: "two\nlines", request: Uint8Array.of(1, 2), frame: null });
    const line = exchangeNdjsonLine(x);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.indexOf("\n")).toBe(line.length - 1);
    expect(JSON.parse(line)).toEqual(toExchangeDto(x));
    expect(JSON.parse(line).request).toBe("01 02");
  });
});
