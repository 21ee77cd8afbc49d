/**
 * Where each decoded field's bytes are in the data, so the detail pane can light up a
 * field's bytes in the hex dump and the field of a byte (issue 10). Decoding gives each
 * field the hex of its bytes, in byte order; this walks the tree and finds each field's
 * bytes at or after the end of the previous one. Bit groups of one byte carry the same
 * hex and get the same place; fields without bytes (notes, bits of a labelled group) get
 * their parent's. Pure.
 */
import type { DecodedField } from "@/server/ipmi/commands";

export interface ByteRange {
  offset: number;
  length: number;
}

export interface LocatedField {
  /** "0", "0.2": the field's path in the tree, its key in the page. */
  key: string;
  field: DecodedField;
  range: ByteRange | null;
  children: LocatedField[];
}

function hexBytes(raw: string): number[] | null {
  const parts = raw.trim().split(/\s+/);
  const out: number[] = [];
  for (const p of parts) {
    if (!/^[0-9a-fA-F]{2}$/.test(p)) return null;
    out.push(Number.parseInt(p, 16));
  }
  return out;
}

function matchesAt(data: Uint8Array, at: number, b: readonly number[]): boolean {
  if (at < 0 || at + b.length > data.length) return false;
  for (let i = 0; i < b.length; i++) if (data[at + i] !== b[i]) return false;
  return true;
}

/**
 * The fields of `tree` with their byte ranges in `data`; `base` is where the decoded data
 * starts in `data` (1 for a response dumped with its completion code first).
 */
export function locateFields(tree: readonly DecodedField[], data: Uint8Array, base = 0): LocatedField[] {
  let next = base;
  let last: ByteRange | null = null;

  const walk = (fields: readonly DecodedField[], path: string, parent: ByteRange | null): LocatedField[] =>
    fields.map((f, i) => {
      const key = `${path}${i}`;
      let range: ByteRange | null = parent;
      const b = f.raw === undefined ? null : hexBytes(f.raw);
      if (b !== null && b.length > 0) {
        if (
          last !== null &&
          last.length === b.length &&
          matchesAt(data, last.offset, b) &&
          !matchesAt(data, next, b)
        ) {
          range = last; // another bit group of the same bytes
        } else {
          let at = next;
          while (at + b.length <= data.length && !matchesAt(data, at, b)) at++;
          if (at + b.length <= data.length) {
            range = { offset: at, length: b.length };
            next = at + b.length;
            last = range;
          }
        }
      }
      const located: LocatedField = { key, field: f, range, children: [] };
      if (f.children !== undefined) {
        // Sub-fields lie within their parent's bytes: look for them from its start.
        const saved = next;
        if (range !== null) next = range.offset;
        located.children = walk(f.children, `${key}.`, range);
        next = Math.max(saved, next);
      }
      return located;
    });

  return walk(tree, "", null);
}

/** The narrowest field whose bytes hold `offset` (the first of equals), or null. */
export function fieldAt(located: readonly LocatedField[], offset: number): LocatedField | null {
  for (const l of located) {
    const r = l.range;
    if (r !== null && offset >= r.offset && offset < r.offset + r.length) {
      // A sub-field only when it is narrower: the bits of a byte share the byte's range.
      const inner = fieldAt(l.children, offset);
      return inner?.range && inner.range.length < r.length ? inner : l;
    }
    const inChild = r === null ? fieldAt(l.children, offset) : null;
    if (inChild) return inChild;
  }
  return null;
}

/** `ipmitool raw` for a request: "ipmitool raw 0x06 0x01 0x20". */
export function ipmitoolRaw(netFn: number, cmd: number, data: Uint8Array): string {
  const h = (v: number) => `0x${v.toString(16).padStart(2, "0")}`;
  return ["ipmitool raw", h(netFn), h(cmd), ...[...data].map(h)].join(" ");
}
