/**
 * Typed request layouts. A handler states the fields of its request; the router
 * unpacks them before the handler runs, so a short request gets C7h and an over-long
 * one C8h without a line of handler code (the phosphor-host-ipmid model).
 */
import { CC } from "./completion-codes";

export class IpmiError extends Error {
  constructor(
    readonly cc: number,
    message?: string,
  ) {
    super(message ?? `completion code ${cc.toString(16).padStart(2, "0")}h`);
    this.name = "IpmiError";
  }
}

export interface Field<T> {
  /** Bytes this field takes; for "rest" the most it may take. */
  readonly size: number;
  readonly kind: "fixed" | "optional" | "rest";
  read(data: Uint8Array, offset: number, available: number): T;
}

function fixed<T>(size: number, read: (data: Uint8Array, offset: number) => T): Field<T> {
  return { size, kind: "fixed", read: (data, offset) => read(data, offset) };
}

export const u8: Field<number> = fixed(1, (d, o) => d[o]!);
export const u16: Field<number> = fixed(2, (d, o) => d[o]! | (d[o + 1]! << 8));
export const u24: Field<number> = fixed(3, (d, o) => d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16));
export const u32: Field<number> = fixed(
  4,
  (d, o) => (d[o]! | (d[o + 1]! << 8) | (d[o + 2]! << 16)) + d[o + 3]! * 0x1000000,
);

export function bytes(size: number): Field<Uint8Array> {
  return fixed(size, (d, o) => d.slice(o, o + size));
}

/** A trailing field the request may leave out. */
export function optional<T>(field: Field<T>): Field<T | undefined> {
  return {
    size: field.size,
    kind: "optional",
    read: (data, offset, available) =>
      available >= field.size ? field.read(data, offset, available) : undefined,
  };
}

/** Whatever bytes remain, at most `max` of them. */
export function rest(max = 255): Field<Uint8Array> {
  return { size: max, kind: "rest", read: (data, offset) => data.slice(offset) };
}

export type Unpacked<S> = { [K in keyof S]: S[K] extends Field<infer T> ? T : never };

export interface RequestLayout<T> {
  readonly minLength: number;
  readonly maxLength: number;
  /** Throws IpmiError C7h (too short) or C8h (too long). */
  unpack(data: Uint8Array): T;
}

export function struct<S extends Record<string, Field<unknown>>>(shape: S): RequestLayout<Unpacked<S>> {
  const entries = Object.entries(shape);
  let minLength = 0;
  let maxLength = 0;
  let seenTail = false;
  for (const [name, field] of entries) {
    if (field.kind === "fixed") {
      if (seenTail) throw new Error(`field ${name}: a fixed field cannot follow an optional or rest field`);
      minLength += field.size;
    } else {
      if (field.kind === "rest" && entries.at(-1)?.[0] !== name)
        throw new Error(`field ${name}: rest must be last`);
      seenTail = true;
    }
    maxLength += field.size;
  }
  return {
    minLength,
    maxLength,
    unpack(data) {
      if (data.length < minLength) {
        throw new IpmiError(
          CC.REQUEST_LENGTH_INVALID,
          `request has ${data.length} bytes, needs ${minLength}`,
        );
      }
      if (data.length > maxLength) {
        throw new IpmiError(
          CC.REQUEST_FIELD_LENGTH_EXCEEDED,
          `request has ${data.length} bytes, takes at most ${maxLength}`,
        );
      }
      const out: Record<string, unknown> = {};
      let offset = 0;
      for (const [name, field] of entries) {
        const available = data.length - offset;
        if (field.kind === "optional" && available > 0 && available < field.size) {
          throw new IpmiError(
            CC.REQUEST_LENGTH_INVALID,
            `field ${name} needs ${field.size} bytes, has ${available}`,
          );
        }
        out[name] = field.read(data, offset, available);
        offset += field.kind === "rest" ? Math.max(0, available) : field.size;
      }
      return out as Unpacked<S>;
    },
  };
}

/** The layout of a command that takes no request data. */
export const noRequest = struct({});
