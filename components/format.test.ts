import { describe, expect, it } from "vitest";
import {
  bytesOf,
  ccLabel,
  DASH,
  exchangeCcLabel,
  exchangeCcName,
  exchangeCommandLabel,
  exchangeFrom,
  formatIso,
  formatLatency,
  formatTime,
  groupOf,
  hex2,
  hexDumpLines,
  isRmcpPlusStatus,
  matchesText,
  netFnLabel,
  responseBytes,
} from "./format";

describe("formatTime", () => {
  it("shows local wall-clock time with zero-padded fields and milliseconds", () => {
    const ms = new Date(2024, 0, 2, 3, 4, 5, 6).getTime();
    expect(formatTime(ms)).toBe("03:04:05.006");
  });

  it("keeps sub-millisecond precision out of the text", () => {
    const ms = new Date(2024, 5, 30, 23, 59, 59, 999).getTime() + 0.75;
    expect(formatTime(ms)).toBe("23:59:59.999");
  });
});

describe("formatIso", () => {
  it("gives the UTC ISO form, or a dash for null", () => {
    expect(formatIso(Date.UTC(2024, 0, 2, 3, 4, 5, 6))).toBe("2024-01-02T03:04:05.006Z");
    expect(formatIso(null)).toBe(DASH);
  });
});

describe("formatLatency", () => {
  it("converts µs to ms with two decimals", () => {
    expect(formatLatency(1234)).toBe("1.23 ms");
    expect(formatLatency(1235.5)).toBe("1.24 ms");
    expect(formatLatency(0)).toBe("0.00 ms");
    expect(formatLatency(5_000_000)).toBe("5000.00 ms");
  });

  it("shows a dash when there is no latency", () => {
    expect(formatLatency(null)).toBe(DASH);
    expect(formatLatency(Number.NaN)).toBe(DASH);
  });
});

describe("completion codes", () => {
  it("labels a code with its hex and the spec's name", () => {
    expect(ccLabel(0x00)).toBe("00h Command Completed Normally");
    expect(ccLabel(0xc1)).toBe("C1h Invalid Command");
    expect(ccLabel(0x85)).toBe("85h Command-specific completion code");
  });

  it("shows a dash when no code was sent", () => {
    expect(ccLabel(null)).toBe(DASH);
  });

  it("gives two lower-case hex digits for data attributes", () => {
    expect(hex2(0xc1)).toBe("c1");
    expect(hex2(0)).toBe("00");
    expect(hex2(null)).toBe("");
  });
});

describe("netFnLabel", () => {
  it("names request and response netfns with their hex", () => {
    expect(netFnLabel(0x06)).toBe("App (06h)");
    expect(netFnLabel(0x07)).toBe("App (07h)");
    expect(netFnLabel(0x2c)).toBe("Group Extension (2Ch)");
    expect(netFnLabel(null)).toBe(DASH);
  });
});

describe("command labels", () => {
  it("names known commands and falls back to the hex for unknown ones", () => {
    expect(exchangeCommandLabel({ netFn: 0x06, cmd: 0x01, request: "" })).toBe("Get Device ID");
    expect(exchangeCommandLabel({ netFn: 0x06, cmd: 0xfe, request: "" })).toBe("Cmd FEh");
    expect(exchangeCommandLabel({ netFn: null, cmd: null, request: "" })).toBe(DASH);
  });

  it("uses the body code (first request byte) of group extension requests", () => {
    expect(groupOf(0x2c, "dc 01")).toBe(0xdc);
    expect(groupOf(0x2c, "")).toBeUndefined();
    expect(groupOf(0x06, "dc 01")).toBeUndefined();
    expect(exchangeCommandLabel({ netFn: 0x2c, cmd: 0x01, request: "dc" })).toBe(
      "Get DCMI Capabilities Info",
    );
    expect(exchangeCommandLabel({ netFn: 0x2c, cmd: 0x01, request: "" })).toBe("Cmd 01h");
  });

  it("names a LAN session-layer record by its payload", () => {
    const none = { netFn: null, cmd: null, request: "" };
    expect(exchangeCommandLabel({ ...none, payload: "presence-ping" })).toBe("RMCP presence ping");
    expect(exchangeCommandLabel({ ...none, payload: "open-session" })).toBe("RMCP+ Open Session");
    expect(exchangeCommandLabel({ ...none, payload: "rakp-1" })).toBe("RAKP 1 / RAKP 2");
    expect(exchangeCommandLabel({ ...none, payload: "rakp-3" })).toBe("RAKP 3 / RAKP 4");
    expect(exchangeCommandLabel({ netFn: 0x06, cmd: 0x01, request: "", payload: null })).toBe(
      "Get Device ID",
    );
  });
});

describe("answer codes of LAN handshake records", () => {
  it("reads the cc of Open Session and RAKP records as an RMCP+ status code", () => {
    expect(isRmcpPlusStatus({ payload: "rakp-1" })).toBe(true);
    expect(isRmcpPlusStatus({ payload: "presence-ping" })).toBe(false);
    expect(isRmcpPlusStatus({ payload: null })).toBe(false);
    expect(exchangeCcName({ cc: 0x0d, payload: "rakp-1" })).toBe("Unauthorized name");
    expect(exchangeCcLabel({ cc: 0x0f, payload: "rakp-3" })).toBe("0Fh Invalid integrity check value");
    expect(exchangeCcLabel({ cc: 0x00, payload: "open-session" })).toBe("00h No errors");
    expect(exchangeCcName({ cc: 0x7f, payload: "open-session" })).toBe("Reserved");
  });

  it("keeps completion code names for IPMI messages, and a dash when nothing was sent", () => {
    expect(exchangeCcLabel({ cc: 0xc1, payload: null })).toBe("C1h Invalid Command");
    expect(exchangeCcName({ cc: null, payload: "rakp-1" })).toBeNull();
    expect(exchangeCcLabel({ cc: null, payload: "presence-ping" })).toBe(DASH);
  });
});

describe("exchangeFrom", () => {
  it("shows user@peer in a session, the null user by name", () => {
    expect(exchangeFrom({ peer: "127.0.0.1:50123", user: "alice" })).toBe("alice@127.0.0.1:50123");
    expect(exchangeFrom({ peer: "127.0.0.1:50123", user: "" })).toBe("(null user)@127.0.0.1:50123");
  });

  it("shows just the address outside a session and a dash on the system interface", () => {
    expect(exchangeFrom({ peer: "[::1]:623", user: null })).toBe("[::1]:623");
    expect(exchangeFrom({ peer: null, user: null })).toBe(DASH);
  });
});

describe("bytes", () => {
  it("parses wire hex and tolerates null or junk", () => {
    expect([...bytesOf("20 01 ff")]).toEqual([0x20, 0x01, 0xff]);
    expect(bytesOf(null)).toHaveLength(0);
    expect(bytesOf("zz")).toHaveLength(0);
  });

  it("puts the completion code first in the response bytes", () => {
    expect([...(responseBytes(0xc1, "01 02") ?? [])]).toEqual([0xc1, 0x01, 0x02]);
    expect([...(responseBytes(0, null) ?? [])]).toEqual([0]);
    expect(responseBytes(null, null)).toBeNull();
  });
});

describe("hexDumpLines", () => {
  it("gives 16 bytes a line with offset, split hex and ascii", () => {
    const bytes = Array.from({ length: 20 }, (_, i) => 0x41 + i);
    bytes[1] = 0x00;
    const lines = hexDumpLines(bytes);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toEqual({
      offset: "0000",
      hex: "41 00 43 44 45 46 47 48  49 4a 4b 4c 4d 4e 4f 50",
      ascii: "A.CDEFGHIJKLMNOP",
    });
    expect(lines[1]).toEqual({ offset: "0010", hex: "51 52 53 54", ascii: "QRST" });
  });

  it("gives no lines for no bytes", () => {
    expect(hexDumpLines(new Uint8Array(0))).toEqual([]);
  });
});

describe("matchesText", () => {
  const x = { netFn: 0x06, cmd: 0x01, request: "" };

  it("matches command and netfn names case-insensitively", () => {
    expect(matchesText(x, "device id")).toBe(true);
    expect(matchesText(x, "APP")).toBe(true);
    expect(matchesText(x, "06h")).toBe(true);
    expect(matchesText(x, "chassis")).toBe(false);
  });

  it("matches everything when the text is blank", () => {
    expect(matchesText(x, "  ")).toBe(true);
  });

  it("matches who sent a LAN exchange and a handshake's payload name", () => {
    const lan = { ...x, peer: "10.0.0.5:50123", user: "alice" };
    expect(matchesText(lan, "alice@10.0.0")).toBe(true);
    expect(matchesText(lan, "bob")).toBe(false);
    expect(matchesText({ netFn: null, cmd: null, request: "", payload: "rakp-3" as const }, "rakp 3")).toBe(
      true,
    );
  });
});
