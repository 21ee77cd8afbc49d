import { describe, expect, it } from "vitest";
import { globalEnableNames, hexBytes, kindLabel, messageFlagNames, transportLabel } from "./busLabels";

describe("bus labels", () => {
  it("names kinds and transports, passing unknown ones through", () => {
    expect([kindLabel("kcs"), kindLabel("ipmb"), kindLabel("x")]).toEqual(["KCS", "IPMB", "x"]);
    expect([transportLabel("qemu"), transportLabel(""), transportLabel("tty")]).toEqual([
      "QEMU guest",
      "—",
      "tty",
    ]);
  });

  it("names the set bits of Get Message Flags and the global enables, skipping reserved ones", () => {
    expect(messageFlagNames(0x03)).toEqual(["receive message available", "event message buffer full"]);
    expect(messageFlagNames(0x14)).toEqual([]);
    expect(globalEnableNames(0x0c)).toEqual(["event message buffer", "system event logging"]);
    expect(hexBytes([0x20, 0x01, 0x0a])).toBe("20 01 0a");
  });
});
