/** Helpers for the decoder tests: hex in, fields looked up by name. */
import { parseHex } from "../hex";
import type { DecodedField } from "./decoded";

export function hex(text: string): Uint8Array {
  const parsed = parseHex(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.bytes;
}

/** The field named `name` (first match, depth first through children); throws when absent. */
export function get(fields: readonly DecodedField[] | undefined, name: string): DecodedField {
  const found = find(fields ?? [], name);
  if (found === undefined) {
    throw new Error(`no field "${name}" in ${JSON.stringify((fields ?? []).map((f) => f.name))}`);
  }
  return found;
}

function find(fields: readonly DecodedField[], name: string): DecodedField | undefined {
  for (const f of fields) {
    if (f.name === name) return f;
    const inner = f.children === undefined ? undefined : find(f.children, name);
    if (inner !== undefined) return inner;
  }
  return undefined;
}

/** The value of the field named `name`. */
export function value(fields: readonly DecodedField[] | undefined, name: string): string {
  return get(fields, name).value;
}

/** { name: value } of the top-level fields (children left out). */
export function values(fields: readonly DecodedField[] | undefined): Record<string, string> {
  return Object.fromEntries((fields ?? []).map((f) => [f.name, f.value]));
}

/** { name: value } of a field's children. */
export function childValues(
  fields: readonly DecodedField[] | undefined,
  name: string,
): Record<string, string> {
  return Object.fromEntries((get(fields, name).children ?? []).map((f) => [f.name, f.value]));
}
