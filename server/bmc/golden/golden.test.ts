import { describe, expect, it } from "vitest";
import { formatLine, play, readGolden } from "./golden";
import { goldenBmc } from "./golden-bmc";

describe("golden replay of the default profile", () => {
  it("answers every captured request byte for byte as before", async () => {
    const lines = readGolden();
    // The capture covers the host's boot, SDR walk, FRU read and steady state and every command.
    expect(lines.length).toBeGreaterThan(1500);
    const bmc = goldenBmc();
    const differ: string[] = [];
    for (const expected of lines) {
      const got = await play(bmc, expected);
      if (got.cc !== expected.cc || formatLine(got) !== formatLine(expected)) {
        differ.push(`expected ${formatLine(expected)}\n     got ${formatLine(got)}`);
      }
    }
    expect(differ.slice(0, 20).join("\n")).toBe("");
  });
});
