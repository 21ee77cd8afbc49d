/**
 * `npm run bench [-- id ...]`: runs every benchmark section (each `bench/*.bench.ts` that
 * exports `section: BenchSection`), or the ones named, prints one table with each figure
 * beside its same-run baseline and its target marked met or not, and writes it all as
 * JSON to bench/results/bench-<time>.json. Exit code 0 even when a target is not met: a
 * benchmark reports, the tests judge.
 */
import { readdirSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { type BenchRow, type BenchSection, formatTable } from "./report";

const HERE = fileURLToPath(new URL("./", import.meta.url));
/** The order sections run and print in; a section not listed runs after these. */
const ORDER = ["router", "clients", "simhost", "memory", "lan", "ui", "console", "fuzz", "history", "fleet"];
/** Sections only run when named (too long, or needing something the default run lacks). */
const ON_REQUEST = new Set(["fleet", "fleet-retention", "fleet-history"]);

async function sections(): Promise<BenchSection[]> {
  const found: BenchSection[] = [];
  for (const file of readdirSync(HERE).filter((f) => f.endsWith(".bench.ts"))) {
    const mod = (await import(pathToFileURL(`${HERE}${file}`).href)) as { section?: BenchSection };
    if (mod.section) found.push(mod.section);
  }
  const rank = (s: BenchSection) => (ORDER.includes(s.id) ? ORDER.indexOf(s.id) : ORDER.length);
  return found.sort((a, b) => rank(a) - rank(b) || a.id.localeCompare(b.id));
}

async function main() {
  const wanted = process.argv.slice(2).filter((a) => !a.startsWith("-"));
  const all = await sections();
  const unknown = wanted.filter((w) => !all.some((s) => s.id === w));
  if (unknown.length > 0) {
    console.error(`bench: no section ${unknown.join(", ")}; there are: ${all.map((s) => s.id).join(", ")}`);
    process.exit(2);
  }
  const chosen =
    wanted.length > 0 ? all.filter((s) => wanted.includes(s.id)) : all.filter((s) => !ON_REQUEST.has(s.id));
  const rows: BenchRow[] = [];
  const failed: string[] = [];
  const started = new Date();
  for (const s of chosen) {
    console.log(`bench: ${s.title} ...`);
    const t0 = performance.now();
    try {
      const got = await s.run();
      for (const r of got) rows.push({ ...r, section: s.title });
      console.log(
        `bench: ${s.title}: ${got.length} figures in ${((performance.now() - t0) / 1000).toFixed(0)} s`,
      );
    } catch (err) {
      failed.push(s.id);
      console.error(`bench: ${s.title} failed:`, err);
    }
  }
  console.log(`\n${formatTable(rows)}\n`);
  const machine = `${os.cpus().length} x ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`;
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  await mkdir(dir, { recursive: true });
  const file = `${dir}bench-${started.toISOString().replace(/[:.]/g, "-")}.json`;
  await writeFile(
    file,
    `${JSON.stringify({ started, machine, sections: chosen.map((s) => s.id), failed, rows }, null, 2)}\n`,
  );
  const missed = rows.filter((r) => r.target && !r.target.met).length;
  console.log(`bench: ${machine}; ${rows.length} figures, ${missed} targets not met; written to ${file}`);
  if (failed.length > 0) {
    console.error(`bench: sections that failed: ${failed.join(", ")}`);
    process.exit(1);
  }
}

await main();
