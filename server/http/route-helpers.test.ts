import { describe, expect, it } from "vitest";
import { download } from "./route-helpers";

async function* chunks<T>(...items: T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

describe("download", () => {
  it("streams text chunks as UTF-8 with the format's type and extension", async () => {
    const res = download(chunks("a,b\r\n", "é\r\n"), "csv", "ipmi-exchanges");
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(
      /^attachment; filename="ipmi-exchanges-[^"]+\.csv"$/,
    );
    expect(await res.text()).toBe("a,b\r\né\r\n");
  });

  it("streams byte chunks as they are: pcap and pcap-wire", async () => {
    const res = download(
      chunks(Uint8Array.of(0xd4, 0xc3), Uint8Array.of(0xb2, 0xa1)),
      "pcap",
      "ipmi-exchanges",
    );
    expect(res.headers.get("content-type")).toBe("application/vnd.tcpdump.pcap");
    expect(res.headers.get("content-disposition")).toMatch(/filename="ipmi-exchanges-[^"]+\.pcap"$/);
    expect([...new Uint8Array(await res.arrayBuffer())]).toEqual([0xd4, 0xc3, 0xb2, 0xa1]);

    const wire = download(chunks(Uint8Array.of(1)), "pcap-wire", "ipmi-exchanges");
    expect(wire.headers.get("content-type")).toBe("application/vnd.tcpdump.pcap");
    expect(wire.headers.get("content-disposition")).toMatch(/filename="ipmi-exchanges-[^"]+-wire\.pcap"$/);
  });
});
