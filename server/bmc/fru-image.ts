/**
 * FRU inventory images, laid out as the Platform Management FRU Information Storage
 * Definition v1.0 (rev 1.3) says: an 8-byte common header (section 8), then the chassis
 * info, board info and product info areas (sections 10-12), each packed by its layout in
 * server/ipmi/records/fru.ts, the same layouts the dashboard decodes them with. The rest
 * of the device's `size` bytes is 00h, free for Write FRU Data.
 *
 * The input is described here, not imported from profile.ts: the profile checks that
 * its FRU devices build (so it imports this module), and a profile's FRU device is one
 * of these by shape.
 */

import { LayoutError } from "../ipmi/layout/cursor";
import { layout } from "../ipmi/layout/layout";
import {
  type BoardInfoIn,
  boardInfoArea,
  type ChassisInfoIn,
  chassisInfoArea,
  FRU_AREA_UNIT,
  FRU_COMMON_HEADER_LENGTH,
  FRU_FORMAT_VERSION,
  type FruCommonHeader,
  FruLayoutError,
  fruCommonHeader,
  type ProductInfoIn,
  productInfoArea,
} from "../ipmi/records/fru";

export { FRU_FORMAT_VERSION };

const commonHeader = layout(fruCommonHeader);
const chassisLayout = layout(chassisInfoArea);
const boardLayout = layout(boardInfoArea);
const productLayout = layout(productInfoArea);

/** What a FRU device's image is built from (a profile's `fru[]` entry). */
export interface FruImageSource {
  id: number;
  /** Bytes of the inventory area; the rest after the areas is 00h. */
  size: number;
  chassis?: ChassisInfoIn | undefined;
  board?: BoardInfoIn | undefined;
  product?: ProductInfoIn | undefined;
}

/** An image that cannot be built, with the path of the source's value that is at fault (["board", "manufacturer"]). */
export class FruImageError extends RangeError {
  constructor(
    message: string,
    readonly path: readonly (string | number)[],
  ) {
    super(message);
    this.name = "FruImageError";
  }
}

type Slot = "chassis" | "board" | "product";

/** Packs one area; a value its layout refuses is a FruImageError naming the area and field. */
function packArea(slot: Slot, pack: () => Uint8Array): Uint8Array {
  try {
    return pack();
  } catch (err) {
    if (err instanceof LayoutError) {
      throw new FruImageError(err.message, [slot, ...(err instanceof FruLayoutError ? err.path : [])]);
    }
    throw err;
  }
}

/** The FRU device's image, `size` bytes; throws FruImageError when an area's values or the areas do not fit. */
export function buildFruImage(f: FruImageSource): Uint8Array {
  const areas: { slot: Slot; bytes: Uint8Array }[] = [];
  const { chassis, board, product } = f;
  if (chassis) areas.push({ slot: "chassis", bytes: packArea("chassis", () => chassisLayout.pack(chassis)) });
  if (board) areas.push({ slot: "board", bytes: packArea("board", () => boardLayout.pack(board)) });
  if (product) areas.push({ slot: "product", bytes: packArea("product", () => productLayout.pack(product)) });
  // Common header: the areas' offsets in 8-byte units, 0 for those not present.
  const header: FruCommonHeader = {
    version: FRU_FORMAT_VERSION,
    internalUse: 0,
    chassis: 0,
    board: 0,
    product: 0,
    multiRecord: 0,
  };
  let offset = FRU_COMMON_HEADER_LENGTH;
  for (const a of areas) {
    if (offset / FRU_AREA_UNIT > 0xff)
      throw new FruImageError(`FRU ${f.id}: an area starting past byte 2040 cannot be addressed`, ["size"]);
    header[a.slot] = offset / FRU_AREA_UNIT;
    offset += a.bytes.length;
  }
  if (offset > f.size)
    throw new FruImageError(`the areas take ${offset} bytes, more than the size of ${f.size}`, ["size"]);
  const image = new Uint8Array(f.size);
  image.set(commonHeader.pack(header), 0);
  let at = FRU_COMMON_HEADER_LENGTH;
  for (const a of areas) {
    image.set(a.bytes, at);
    at += a.bytes.length;
  }
  return image;
}
