/**
 * Field types that both encode and decode. A command's request and response layouts are
 * built from these (commands/*.ts), so one description of the bytes gives:
 * - the typed value a handler reads (request) or returns (response),
 * - the bytes on the wire (a value that does not fit throws LayoutError, never sends),
 * - the named field tree the dashboard shows, with the hex of each field's bytes,
 * - the length limits the router checks (C7h short, C8h long) before any handler runs.
 *
 * A codec reads from a Cursor that never throws: a read past the end returns SHORT and
 * counts the missing bytes, so a truncated response still shows every field it has.
 */
import { toHex } from "../hex";
import { Cursor, LayoutError, SHORT, type Short, type Writer } from "./cursor";
import type { DecodedField } from "./decoded";
import { type Described, field, h8, h16, hexN, hexText } from "./format";

export type Tree = DecodedField[];

/** Bytes a handler may hand a layout: a Uint8Array or a plain array. */
export type Bytes = Uint8Array | readonly number[];

export interface Codec<Out, In = Out> {
  /** Fewest and most bytes a value takes. */
  readonly minLength: number;
  readonly maxLength: number;
  /** Reads to the end of the data (rest, repeat): nothing can follow it in a struct. */
  readonly toEnd?: boolean;
  /** Reads a value; SHORT when the bytes ran out. With `tree`, adds the value's fields to it. */
  read(c: Cursor, tree?: Tree): Out | Short;
  /** Appends the value's bytes; throws LayoutError when the value does not fit. */
  write(w: Writer, value: In): void;
}

/** What a codec reads. */
export type Out<C> = C extends Codec<infer O, unknown> ? O : never;
/** What a codec writes. */
export type In<C> = C extends Codec<unknown, infer I> ? I : never;

export type Format<T> = (v: T) => Described;

// ---- integers ----------------------------------------------------------------------------

function uint(n: number, label: string, format: Format<number>): Codec<number> {
  const max = 2 ** (8 * n) - 1;
  return {
    minLength: n,
    maxLength: n,
    read(c, tree) {
      const start = c.pos;
      const v = c.uint(n);
      if (v !== SHORT && tree) tree.push(field(label, format(v), toHex(c.since(start))));
      return v;
    },
    write(w, v) {
      if (!Number.isInteger(v) || v < 0 || v > max) {
        throw new LayoutError(`${label}: ${v} does not fit ${n} ${n === 1 ? "byte" : "bytes"}`);
      }
      w.uint(v, n);
    },
  };
}

/** One byte. Shown as "20h" unless `format` says otherwise (a code table, a count, flags). */
export const u8 = (label: string, format: Format<number> = h8): Codec<number> => uint(1, label, format);
/** Two bytes, LS byte first (IPMI 2.0 section 13.1 "data fields are little-endian"). */
export const u16 = (label: string, format: Format<number> = h16): Codec<number> => uint(2, label, format);
export const u24 = (label: string, format: Format<number> = (v) => hexN(v, 6)): Codec<number> =>
  uint(3, label, format);
export const u32 = (label: string, format: Format<number> = (v) => hexN(v, 8)): Codec<number> =>
  uint(4, label, format);

// ---- bytes ---------------------------------------------------------------------------------

function bytesIn(label: string, b: Bytes, min: number, max: number): void {
  if (b.length < min || b.length > max) {
    throw new LayoutError(
      min === max
        ? `${label}: ${b.length} bytes, the layout has ${min}`
        : `${label}: ${b.length} bytes, the layout takes ${min} to ${max}`,
    );
  }
  for (let i = 0; i < b.length; i++) {
    const v = b[i]!;
    if (!Number.isInteger(v) || v < 0 || v > 255) throw new LayoutError(`${label}: byte ${i} is ${v}`);
  }
}

/** Exactly `n` bytes. */
export function bytes(
  label: string,
  n: number,
  format: Format<Uint8Array> = hexText,
): Codec<Uint8Array, Bytes> {
  return {
    minLength: n,
    maxLength: n,
    read(c, tree) {
      const b = c.take(n);
      if (b === SHORT) return SHORT;
      tree?.push(field(label, format(b), toHex(b)));
      return b.slice();
    },
    write(w, b) {
      bytesIn(label, b, n, n);
      w.bytes(b);
    },
  };
}

/** Whatever bytes remain, at most `max` (a trailing field only). Shown only when there are some. */
export function rest(
  label: string,
  max = 255,
  format: Format<Uint8Array> = hexText,
): Codec<Uint8Array, Bytes> {
  return {
    minLength: 0,
    maxLength: max,
    toEnd: true,
    read(c, tree) {
      const b = c.rest(max);
      if (b.length > 0) tree?.push(field(label, format(b), toHex(b)));
      return b.slice();
    },
    write(w, b) {
      bytesIn(label, b, 0, max);
      w.bytes(b);
    },
  };
}

// ---- bit fields ------------------------------------------------------------------------------

interface BitGroup<T> {
  readonly lo: number;
  readonly width: number;
  /** Shown under this name; unnamed groups (reserved bits) are read and written but not shown. */
  readonly label: string | undefined;
  readonly show: (v: number) => Described;
  toValue(v: number): T;
  /** Method syntax on purpose: a group of any value type fits a `bits` shape (bivariant). */
  fromValue(v: T): number;
}

/** Bits `hi`..`lo` as a number (`hi` defaults to `lo`: one bit). */
export function bit(
  label: string | undefined,
  lo: number,
  hi = lo,
  format: Format<number> = String,
): BitGroup<number> {
  return { lo, width: hi - lo + 1, label, show: format, toValue: (v) => v, fromValue: (v) => v };
}

/** One bit as a boolean, shown "yes"/"no" unless `format` names the two states. */
export function flag(
  label: string | undefined,
  at: number,
  format: Format<boolean> = (v) => (v ? "yes" : "no"),
): BitGroup<boolean> {
  return {
    lo: at,
    width: 1,
    label,
    show: (v) => format(v === 1),
    toValue: (v) => v === 1,
    fromValue: (v) => (v ? 1 : 0),
  };
}

type GroupValues<G> = { [K in keyof G]: G[K] extends BitGroup<infer T> ? T : never };

export interface BitsOptions {
  /**
   * With a label the bytes are one field (value `format(v)`, by default the hex) with each
   * named group as a sub-field; without, each named group is a field of its own carrying the
   * hex of the shared bytes (as the spec's tables list them).
   */
  label?: string;
  format?: Format<number>;
}

/** `n` bytes (LS first) holding named bit groups. Unnamed bits are written as 0. */
export function bits<G extends Record<string, BitGroup<unknown>>>(
  n: number,
  groups: G,
  options: BitsOptions = {},
): Codec<GroupValues<G>> {
  const entries = Object.entries(groups) as Array<[keyof G & string, BitGroup<unknown>]>;
  const total = 8 * n;
  for (const [name, g] of entries) {
    if (g.lo < 0 || g.lo + g.width > total) throw new Error(`bit group ${name} is outside ${n} bytes`);
  }
  const part = (v: number, g: BitGroup<unknown>) => Math.floor(v / 2 ** g.lo) % 2 ** g.width;
  return {
    minLength: n,
    maxLength: n,
    read(c, tree) {
      const start = c.pos;
      const v = c.uint(n);
      if (v === SHORT) return SHORT;
      const out: Record<string, unknown> = {};
      for (const [name, g] of entries) out[name] = g.toValue(part(v, g));
      if (tree) {
        const raw = toHex(c.since(start));
        const shown: DecodedField[] = [];
        for (const [, g] of entries)
          if (g.label !== undefined) shown.push(field(g.label, g.show(part(v, g))));
        if (options.label !== undefined) {
          const fmt = options.format ?? (n === 1 ? h8 : (x: number) => hexN(x, 2 * n));
          const described = fmt(v);
          const head = field(options.label, described, raw);
          head.children = [...(head.children ?? []), ...shown];
          if (head.children.length === 0) delete head.children;
          tree.push(head);
        } else {
          for (const f of shown) tree.push({ ...f, raw });
        }
      }
      return out as GroupValues<G>;
    },
    write(w, value) {
      let v = 0;
      for (const [name, g] of entries) {
        const x = g.fromValue((value as Record<string, unknown>)[name]);
        if (!Number.isInteger(x) || x < 0 || x >= 2 ** g.width) {
          throw new LayoutError(
            `${g.label ?? name}: ${x} does not fit ${g.width} ${g.width === 1 ? "bit" : "bits"}`,
          );
        }
        v += x * 2 ** g.lo;
      }
      w.uint(v, n);
    },
  };
}

// ---- composition ---------------------------------------------------------------------------

/** A trailing field the data may leave out (undefined when absent). */
export function optional<O, I>(codec: Codec<O, I>): Codec<O | undefined, I | undefined> {
  return {
    minLength: 0,
    maxLength: codec.maxLength,
    ...(codec.toEnd ? { toEnd: true } : {}),
    read(c, tree) {
      // Absent: nothing left, or the data already ended before this field.
      if (c.short || c.remaining === 0) return undefined;
      return codec.read(c, tree);
    },
    write(w, v) {
      if (v !== undefined) codec.write(w, v);
    },
  };
}

/** The values a struct has read (or is writing) before a dependent field. */
export type Earlier = Readonly<Record<string, unknown>>;

/** A struct field whose layout depends on the fields before it (a selector, a record type). */
export interface Dependent<O, I> extends Codec<O, I> {
  readonly pick: (earlier: Earlier) => Codec<O, I>;
}

/**
 * A field whose layout the earlier fields of its struct choose: Get Self Test Results'
 * second byte means what the first says, a parameter's data is laid out by its selector.
 * `bounds` are the fewest and most bytes any choice takes.
 */
export function dependent<O, I>(
  bounds: { minLength: number; maxLength: number },
  pick: (earlier: Earlier) => Codec<O, I>,
): Dependent<O, I> {
  return {
    ...bounds,
    pick,
    read: () => {
      throw new Error("a dependent field is read by its struct");
    },
    write: () => {
      throw new Error("a dependent field is written by its struct");
    },
  };
}

function isDependent(c: Codec<unknown, unknown>): c is Dependent<unknown, unknown> {
  return "pick" in c;
}

type StructOut<S> = { [K in keyof S]: Out<S[K]> };
type StructIn<S> = { [K in keyof S]: In<S[K]> };

/**
 * Fields in order. A field of variable length (optional, rest, repeated) can only be
 * followed by fields that may be absent, or the bytes would not say where it ends.
 */
export function struct<S extends Record<string, Codec<unknown, never>>>(
  shape: S,
): Codec<StructOut<S>, StructIn<S>> {
  const entries = Object.entries(shape) as Array<[string, Codec<unknown, unknown>]>;
  let minLength = 0;
  let maxLength = 0;
  let variable: string | undefined;
  let toEnd: string | undefined;
  for (const [name, codec] of entries) {
    if (toEnd !== undefined) throw new Error(`field ${name} cannot follow ${toEnd}, which reads to the end`);
    if (codec.toEnd) toEnd = name;
    if (variable !== undefined && codec.minLength > 0) {
      throw new Error(`field ${name} cannot follow ${variable}, whose length varies`);
    }
    if (codec.minLength !== codec.maxLength) variable = name;
    minLength += codec.minLength;
    maxLength += codec.maxLength;
  }
  const members = entries.map(([name, codec]) => [name, codec, isDependent(codec)] as const);
  return {
    minLength,
    maxLength,
    ...(toEnd === undefined ? {} : { toEnd: true }),
    read(c, tree) {
      const out: Record<string, unknown> = {};
      let short = false;
      for (const [name, declared, isDep] of members) {
        const codec = isDep ? (declared as Dependent<unknown, unknown>).pick(out) : declared;
        const v = codec.read(c, tree);
        if (v === SHORT) short = true;
        else out[name] = v;
      }
      return short ? SHORT : (out as StructOut<S>);
    },
    write(w, value) {
      const v = value as Record<string, unknown>;
      for (const [name, declared, isDep] of members) {
        const codec = isDep ? (declared as Dependent<unknown, unknown>).pick(v) : declared;
        codec.write(w, v[name]);
      }
    },
  };
}

/** Records of one layout, as many as the bytes hold (at most `max`), to the end of the data. */
export function repeat<O, I>(
  codec: Codec<O, I>,
  options: { max: number; label?: (index: number) => string },
): Codec<O[], readonly I[]> {
  if (codec.minLength === 0) throw new Error("a repeated record must take at least one byte");
  return {
    minLength: 0,
    maxLength: codec.maxLength * options.max,
    toEnd: true,
    read(c, tree) {
      const out: O[] = [];
      while (!c.short && c.remaining > 0 && out.length < options.max) {
        const start = c.pos;
        const sub: Tree | undefined = tree && options.label ? [] : tree;
        const v = codec.read(c, sub);
        if (tree && options.label && sub) {
          tree.push({
            name: options.label(out.length),
            value: "",
            raw: toHex(c.since(start)),
            children: sub,
          });
        }
        if (v === SHORT) return SHORT;
        out.push(v);
      }
      return out;
    },
    write(w, values) {
      if (values.length > options.max)
        throw new LayoutError(`${values.length} records, at most ${options.max}`);
      for (const v of values) codec.write(w, v);
    },
  };
}

/** A codec whose fields show as the children of one field named `label` (a record inside the data). */
export function group<O, I>(
  label: string,
  codec: Codec<O, I>,
  summary: (v: O) => string = () => "",
): Codec<O, I> {
  return {
    minLength: codec.minLength,
    maxLength: codec.maxLength,
    read(c, tree) {
      if (!tree) return codec.read(c);
      const start = c.pos;
      const children: Tree = [];
      const v = codec.read(c, children);
      tree.push({
        name: label,
        value: v === SHORT ? "" : summary(v),
        raw: toHex(c.since(start)),
        children,
      });
      return v;
    },
    write: (w, v) => codec.write(w, v),
  };
}

/** Changes a codec's value type both ways (a code to a name, bytes to a string). */
export function mapped<O, I, O2, I2>(
  codec: Codec<O, I>,
  to: (v: O) => O2,
  from: (v: I2) => I,
): Codec<O2, I2> {
  return {
    minLength: codec.minLength,
    maxLength: codec.maxLength,
    read(c, tree) {
      const v = codec.read(c, tree);
      return v === SHORT ? SHORT : to(v);
    },
    write: (w, v) => codec.write(w, from(v)),
  };
}

/** No data at all. A handler of a command whose response is empty returns nothing. */
export const empty: Codec<Record<string, never>, void> = {
  minLength: 0,
  maxLength: 0,
  read: () => ({}),
  write: () => {},
};

export { Cursor, LayoutError, SHORT };
