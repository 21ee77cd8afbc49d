/** Hex text for bytes, the form every API, export and UI uses ("20 01 00"). */
export function toHex(bytes: Uint8Array | readonly number[], separator = " "): string {
  let out = "";
  for (let i = 0; i < bytes.length; i++) {
    if (i > 0) out += separator;
    out += HEX_BYTE[bytes[i]! & 0xff];
  }
  return out;
}

const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/**
 * Parses hex text as people type it: "20 01", "2001", "0x20,0x01". Returns an error
 * text instead of throwing so callers at the boundary can answer 400 with it.
 */
export function parseHex(text: string): { ok: true; bytes: Uint8Array } | { ok: false; error: string } {
  const cleaned = text.replace(/0x/gi, "").replace(/[\s,:;-]+/g, "");
  if (cleaned.length === 0) return { ok: true, bytes: new Uint8Array(0) };
  if (!/^[0-9a-f]+$/i.test(cleaned)) return { ok: false, error: "hex bytes may contain only 0-9, a-f" };
  if (cleaned.length % 2 !== 0) return { ok: false, error: "hex bytes need an even number of digits" };
  const bytes = new Uint8Array(cleaned.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number.parseInt(cleaned.slice(i * 2, i * 2 + 2), 16);
  return { ok: true, bytes };
}

/** "06h" — how the spec writes a byte. */
export function hexByte(value: number): string {
  return `${(value & 0xff).toString(16).toUpperCase().padStart(2, "0")}h`;
}
