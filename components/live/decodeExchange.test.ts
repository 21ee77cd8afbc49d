import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import type { ExchangeDto } from "../../server/contract/exchange";
import { DecodedFields } from "./DecodedFields";
import { decodeExchange } from "./decodeExchange";

type Wire = Pick<ExchangeDto, "netFn" | "cmd" | "request" | "cc" | "response">;

const getDeviceId: Wire = {
  netFn: 0x06,
  cmd: 0x01,
  request: "",
  cc: 0x00,
  response: "20 01 01 00 02 bf 57 01 00 49 00",
};

describe("decodeExchange", () => {
  it("decodes the response of an exchange from its wire hex, and leaves out an empty request", () => {
    const decoded = decodeExchange(getDeviceId);
    expect(decoded.request).toBeUndefined();
    expect(decoded.response?.find((f) => f.name === "Firmware revision")?.value).toBe("1.00");
    expect(decoded.response?.find((f) => f.name === "Manufacturer ID")?.value).toBe(
      "343 (Intel Corporation)",
    );
  });

  it("decodes the request, and hands it to the response decoder for partial reads", () => {
    const decoded = decodeExchange({
      netFn: 0x0a,
      cmd: 0x23,
      request: "00 00 01 00 00 05",
      cc: 0x00,
      response: "02 00 01 00 51 01 33",
    });
    expect(decoded.request?.map((f) => f.name)).toEqual([
      "Reservation ID",
      "Record ID",
      "Offset into record",
      "Bytes to read",
    ]);
    const record = decoded.response?.find((f) => f.name === "Record");
    expect(record?.children?.at(-1)).toEqual({ name: "(partial read)", value: "5 of 56 bytes read" });
  });

  it("has nothing to decode without a header, a decoder or a response", () => {
    expect(decodeExchange({ ...getDeviceId, netFn: null, cmd: null })).toEqual({});
    expect(decodeExchange({ ...getDeviceId, netFn: 0x2c, request: "dc" })).toEqual({});
    expect(decodeExchange({ ...getDeviceId, cc: null, response: null })).toEqual({});
    expect(decodeExchange({ ...getDeviceId, cc: 0xc1, response: "" })).toEqual({});
  });

  it("names a command's own completion code", () => {
    const decoded = decodeExchange({
      netFn: 0x0a,
      cmd: 0x11,
      request: "00 00 00 10",
      cc: 0x81,
      response: "",
    });
    expect(decoded.response).toEqual([{ name: "Completion code", value: "81h FRU device busy" }]);
  });
});

describe("DecodedFields", () => {
  it("renders a row per field and sub-field, with data-field and the depth", () => {
    const fields = decodeExchange(getDeviceId).response ?? [];
    const html = renderToStaticMarkup(
      createElement(DecodedFields, { fields, "data-testid": "decoded-response" }),
    );
    expect(html).toContain('data-testid="decoded-response"');
    expect(html).toMatch(/<div[^>]*data-field="Firmware revision"[^>]*data-depth="0"/);
    expect(html).toMatch(/<div[^>]*data-field="Device available"[^>]*data-depth="1"/);
    expect(html).toMatch(/<div[^>]*data-field="Chassis device"[^>]*data-depth="1"/);
    expect(html).toContain("<dt");
    expect(html).toContain("343 (Intel Corporation)");
    // Short hex is shown beside the value.
    expect(html).toContain("57 01 00");
  });

  it("renders what did not fit the layout as rows too", () => {
    const html = renderToStaticMarkup(
      createElement(DecodedFields, { fields: [{ name: "(truncated)", value: "2 bytes missing" }] }),
    );
    expect(html).toMatch(/data-field="\(truncated\)"/);
    expect(html).toContain("2 bytes missing");
  });
});
