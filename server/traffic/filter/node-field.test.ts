import { afterEach, describe, expect, it } from "vitest";
import { fromExchangeDto, toExchangeDto } from "../../contract/exchange";
import { makeExchange } from "../test-exchanges";
import { getLocalNodeName, parseFilter, setLocalNodeName } from "./index";

function filter(text: string) {
  const parsed = parseFilter(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.filter;
}

const before = getLocalNodeName();
afterEach(() => setLocalNodeName(before));

describe("the filter's node field", () => {
  it("reads a remote record's node, and this node's name for local ones", () => {
    setLocalNodeName("a");
    const local = makeExchange(1);
    const remote = fromExchangeDto({ ...toExchangeDto(makeExchange(1)), node: "b" });
    expect(filter('node == "b"').matches(remote)).toBe(true);
    expect(filter('node == "b"').matches(local)).toBe(false);
    expect(filter("node == a").matches(local)).toBe(true);
    expect(filter('node != "a"').matches(remote)).toBe(true);
    expect(filter('node startswith "b" and id == 1').matches(remote)).toBe(true);
    expect(filter("node == null").matches(local)).toBe(false);
  });

  it("folds into a constant in SQL: every local row is this node's", () => {
    setLocalNodeName("a");
    expect(filter('node == "a"').sql.sql).toBe("(1)");
    expect(filter('node == "b"').sql.sql).toBe("(0)");
    expect(filter('node != "b"').sql.sql).toBe("(1)");
    expect(filter("node != null").sql.sql).toBe("(1)");
    expect(filter('node contains "x" or status == ok').sql.sql).toMatch(/^\(\(0\) OR /);
  });

  it("keeps the records' bytes through the wire form", () => {
    const x = makeExchange(7, { request: Uint8Array.of(1, 2, 0xff) });
    const back = fromExchangeDto(toExchangeDto(x));
    expect(back.request).toEqual(x.request);
    expect(filter("data startswith 01 02").matches(back)).toBe(true);
  });
});
