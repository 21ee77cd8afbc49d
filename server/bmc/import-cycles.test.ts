/**
 * The BMC's modules depend on each other in one direction only: leaves (bytes, clock,
 * reservation, ...), then the parts, then the whole (bmc.ts), its handlers and index.ts.
 * A cycle — type-only imports included, since they tangle the design as much — fails here
 * with the modules that make it.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = path.dirname(fileURLToPath(import.meta.url));

/** `import ... from "./x"`, `import type ...`, `export ... from "./x"` and `import "./x"`, over any line breaks. */
const RELATIVE_IMPORT =
  /(?:^|[;\n])\s*(?:import|export)\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?["'](\.{1,2}\/[^"']+)["']/g;

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** Module -> the modules under `root` it imports (relative specifiers resolved to .ts files). */
function importGraph(root: string): Map<string, string[]> {
  const files = new Set(tsFiles(root));
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const targets = new Set<string>();
    for (const match of text.matchAll(RELATIVE_IMPORT)) {
      const base = path.resolve(path.dirname(file), match[1]!);
      const target = [base, `${base}.ts`, path.join(base, "index.ts")].find((f) => files.has(f));
      if (target) targets.add(target);
    }
    graph.set(file, [...targets]);
  }
  return graph;
}

/** Every import cycle, each as the list of modules around it (first repeated last). */
function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const cycles: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const visit = (node: string) => {
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (onStack.has(next)) cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!done.has(next)) visit(next);
    }
    stack.pop();
    onStack.delete(node);
    done.add(node);
  };
  for (const node of [...graph.keys()].sort()) if (!done.has(node)) visit(node);
  return cycles;
}

describe("server/bmc imports", () => {
  it("form no cycle", () => {
    const graph = importGraph(ROOT);
    const rel = (f: string) => path.relative(ROOT, f);
    const cycles = findCycles(graph).map((c) => c.map(rel).join(" -> "));
    expect(cycles).toEqual([]);
  });

  it("are all seen: multi-line, type-only and re-exports count", () => {
    const graph = importGraph(ROOT);
    const deps = (f: string) =>
      (graph.get(path.join(ROOT, f)) ?? []).map((d) => path.relative(ROOT, d)).sort();
    // bmc.ts imports its parts as types only, several of them in multi-line statements elsewhere.
    expect(deps("bmc.ts")).toEqual(
      expect.arrayContaining(["chassis.ts", "controller.ts", "persistence.ts", "watchdog.ts"]),
    );
    expect(deps("handlers/chassis.ts")).toEqual(expect.arrayContaining(["bmc.ts", "chassis.ts"]));
    expect(deps("index.ts")).toEqual(expect.arrayContaining(["bmc.ts", "handlers/app.ts", "store.ts"]));
  });

  it("a cycle is reported with its modules", () => {
    const graph = new Map([
      ["a", ["b"]],
      ["b", ["c"]],
      ["c", ["a", "d"]],
      ["d", []],
    ]);
    expect(findCycles(graph)).toEqual([["a", "b", "c", "a"]]);
    expect(findCycles(new Map([["a", ["a"]]]))).toEqual([["a", "a"]]);
  });
});
