/**
 * A code table of the spec, written once and read both ways: code → the spec's name (what
 * the dashboard shows) and, for the codes a BMC profile may name, profile key → code.
 */
import { hexByte } from "../hex";

/** One row: the code, the spec's name for it, and the profile's key when the profile accepts a name. */
export type CodeEntry = readonly [code: number, name: string, key?: string];

/** The profile keys a list of entries defines. */
export type KeysOf<E extends readonly CodeEntry[]> = E[number] extends infer R
  ? R extends readonly [number, string, infer K extends string]
    ? K
    : never
  : never;

export interface CodeTable<K extends string = string> extends ReadonlyMap<number, string> {
  /** Profile key → code, for the codes a profile may write by name. */
  readonly codes: Readonly<Record<K, number>>;
  /** The profile key of a code, when it has one. */
  keyOf(code: number): K | undefined;
  /** "Temperature (01h)"; a code the table has not got is named by `fallback`. */
  label(code: number): string;
}

/**
 * A table from its rows. `fallback` names the codes the table leaves out ("Reserved",
 * or a range the spec sets aside: "OEM").
 */
export function codeTable<const E extends readonly CodeEntry[]>(
  entries: E,
  fallback: (code: number) => string = () => "Reserved",
): CodeTable<KeysOf<E>> {
  const names = new Map<number, string>();
  const codes: Record<string, number> = {};
  const keys = new Map<number, string>();
  for (const [code, name, key] of entries) {
    if (names.has(code)) throw new Error(`code table: ${hexByte(code)} twice`);
    names.set(code, name);
    if (key !== undefined) {
      if (Object.hasOwn(codes, key)) throw new Error(`code table: key ${key} twice`);
      codes[key] = code;
      keys.set(code, key);
    }
  }
  return Object.assign(names, {
    codes: Object.freeze(codes) as Readonly<Record<KeysOf<E>, number>>,
    keyOf: (code: number) => keys.get(code) as KeysOf<E> | undefined,
    label: (code: number) => `${names.get(code) ?? fallback(code)} (${hexByte(code)})`,
  });
}
