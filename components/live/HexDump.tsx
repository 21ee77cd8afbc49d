import { hexDumpLines } from "@/components/format";
import type { ByteRange } from "./fieldBytes";

interface HexDumpProps {
  bytes: Uint8Array | null;
  /** Shown when `bytes` is null ("no response"). */
  emptyText?: string;
  /** Bytes to light up (the selected field's). */
  highlight?: ByteRange | null;
  /** A byte was clicked: its offset. */
  onByte?: (offset: number) => void;
  "data-testid"?: string;
}

const WIDTH = 16;

/** Offset, hex and ASCII columns, 16 bytes a line; each byte can be lit up and clicked. */
export function HexDump({
  bytes,
  emptyText = "none",
  highlight = null,
  onByte,
  "data-testid": testId,
}: HexDumpProps) {
  if (bytes === null || bytes.length === 0) {
    return (
      <div className="hexdump hexdump-empty" data-testid={testId}>
        {bytes === null ? emptyText : "0 bytes"}
      </div>
    );
  }
  const lit = (i: number) =>
    highlight !== null && i >= highlight.offset && i < highlight.offset + highlight.length;
  return (
    <div className="hexdump" data-testid={testId} data-length={bytes.length}>
      {hexDumpLines(bytes).map((line, n) => {
        const start = n * WIDTH;
        const end = Math.min(start + WIDTH, bytes.length);
        const cells = [];
        for (let i = start; i < end; i++) {
          // Spaces between the bytes as text, so the dump copies and reads as "20 01 ..".
          if (i > start) cells.push(i - start === 8 ? "  " : " ");
          cells.push(
            <span
              key={i}
              className={`hexdump-byte${lit(i) ? " lit" : ""}`}
              data-offset={i}
              onClick={onByte ? () => onByte(i) : undefined}
            >
              {bytes[i]!.toString(16).padStart(2, "0")}
            </span>,
          );
        }
        return (
          <div className="hexdump-line" key={line.offset}>
            <span className="hexdump-offset">{line.offset}</span>
            <span className="hexdump-hex">{cells}</span>
            <span className="hexdump-ascii">{line.ascii}</span>
          </div>
        );
      })}
    </div>
  );
}
