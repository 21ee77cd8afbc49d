/**
 * A whole request or response: a codec with the three things done with it. `unpack` is
 * the router's check before a handler runs (IPMI 2.0 table 5-2: C7h "request data length
 * invalid" for too few bytes, C8h "request data field length limit exceeded" for too many);
 * `pack` turns a handler's typed answer into bytes; `decode` is the dashboard's field tree
 * and never throws.
 */
import { CC } from "../completion-codes";
import { toHex } from "../hex";
import { IpmiError } from "../ipmi-error";
import type { Codec, Tree } from "./codec";
import { Cursor, type ReadContext, SHORT, Writer } from "./cursor";
import { EXTRA, TRUNCATED } from "./decoded";

/** What the router needs of a request layout: its length limits and the unpacking. */
export interface RequestLayout<Out> {
  readonly minLength: number;
  readonly maxLength: number;
  /** The request's value; throws IpmiError C7h (too short) or C8h (too long). */
  unpack(data: Uint8Array): Out;
}

export interface Layout<Out, In = Out> extends Codec<Out, In>, RequestLayout<Out> {
  /** The value's bytes; throws LayoutError when it does not fit. */
  pack(value: In): Uint8Array;
  /** Named fields, then "(truncated)" or "(extra)" where the data did not fit. Never throws. */
  decode(data: Uint8Array, context?: ReadContext): Tree;
}

export function layout<O, I>(codec: Codec<O, I>): Layout<O, I> {
  const { minLength, maxLength } = codec;
  return {
    minLength,
    maxLength,
    read: (c, tree) => codec.read(c, tree),
    write: (w, v) => codec.write(w, v),
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
      const c = new Cursor(data);
      const v = codec.read(c);
      if (v === SHORT) {
        throw new IpmiError(
          CC.REQUEST_LENGTH_INVALID,
          `request has ${data.length} bytes, a field needs ${c.missing} more`,
        );
      }
      if (c.remaining > 0) {
        throw new IpmiError(
          CC.REQUEST_FIELD_LENGTH_EXCEEDED,
          `request has ${c.remaining} bytes past its fields`,
        );
      }
      return v;
    },
    pack(value) {
      const w = new Writer();
      codec.write(w, value);
      return w.finish();
    },
    decode(data, context) {
      const tree: Tree = [];
      const c = new Cursor(data, context);
      try {
        codec.read(c, tree);
      } catch (err) {
        // A bug in one layout shows as a field rather than breaking the page.
        tree.push({ name: "(decoder error)", value: err instanceof Error ? err.message : String(err) });
        return tree;
      }
      if (c.missing > 0) {
        tree.push({ name: TRUNCATED, value: `${c.missing} ${c.missing === 1 ? "byte" : "bytes"} missing` });
      } else if (c.remaining > 0) {
        tree.push({ name: EXTRA, value: toHex(c.rest()) });
      }
      return tree;
    },
  };
}
