/**
 * The one shape every benchmark section reports in, so `npm run bench` prints one table and
 * writes one JSON file. Every figure is measured in the same run on the same machine as its
 * baseline: compare ratios between runs, not absolutes.
 */

export interface BenchFigure {
  /** What was measured, for people: "persisted through Prisma". */
  name: string;
  value: number;
  /** "rows/s", "µs", "MB", "fps", "ms", "inputs", ... */
  unit: string;
}

export interface BenchRow extends BenchFigure {
  /** The section's title, filled in by the runner. */
  section?: string;
  /** Measured in the same run: what `value` is compared against. */
  baseline?: BenchFigure;
  /** value / baseline.value, when there is a baseline. */
  ratio?: number;
  /** A stated target and whether this run met it. */
  target?: { text: string; met: boolean };
  /** A short remark: what the row depends on, what it could not measure. */
  note?: string;
}

export interface BenchSection {
  /** Selects the section: `npm run bench -- router lan`. */
  id: string;
  title: string;
  run(): Promise<BenchRow[]>;
}

/** A row with its baseline and ratio. */
export function against(row: BenchFigure, baseline: BenchFigure, extra: Partial<BenchRow> = {}): BenchRow {
  return { ...row, baseline, ratio: baseline.value === 0 ? undefined : row.value / baseline.value, ...extra };
}

/** "≥ 50,000 rows/s": met when value >= min. */
export function atLeast(value: number, min: number, unit: string): BenchRow["target"] {
  return { text: `≥ ${fmt(min)} ${unit}`, met: value >= min };
}

/** "< 200 µs": met when value < max. */
export function below(value: number, max: number, unit: string): BenchRow["target"] {
  return { text: `< ${fmt(max)} ${unit}`, met: value < max };
}

export function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: 0 });
}

/** The table `npm run bench` prints: one line per row, grouped by section. */
export function formatTable(rows: BenchRow[]): string {
  const cells = rows.map((r) => [
    r.section ?? "",
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline ? `${fmt(r.baseline.value)} ${r.baseline.unit} (${r.baseline.name})` : "",
    r.ratio === undefined ? "" : `${r.ratio.toFixed(2)}x`,
    r.target ? `${r.target.text}: ${r.target.met ? "met" : "NOT MET"}` : "",
    r.note ?? "",
  ]);
  const head = ["section", "measured", "value", "baseline (same run)", "ratio", "target", "note"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]) =>
    c
      .map((x, i) => x.padEnd(widths[i]!))
      .join(" | ")
      .trimEnd();
  let last = "";
  const out = [line(head), widths.map((w) => "-".repeat(w)).join("-|-")];
  for (const c of cells) {
    const section = c[0] === last ? "" : c[0]!;
    last = c[0]!;
    out.push(line([section, ...c.slice(1)]));
  }
  return out.join("\n");
}

/**
 * `npx tsx bench/<file>.bench.ts` runs that section alone and prints its table (without
 * bench/run.ts's JSON); imported by the runner, it does nothing.
 */
export async function runIfMain(moduleUrl: string, section: BenchSection): Promise<void> {
  if (moduleUrl !== `file://${process.argv[1]}`) return;
  const rows = await section.run();
  console.log(formatTable(rows.map((r) => ({ ...r, section: section.title }))));
}
