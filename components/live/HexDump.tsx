import { hexDumpLines } from "@/components/format";

interface HexDumpProps {
  bytes: Uint8Array | null;
  /** Shown when `bytes` is null ("no response"). */
  emptyText?: string;
  "data-testid"?: string;
}

/** Offset, hex and ASCII columns, 16 bytes a line. */
export function HexDump({ bytes, emptyText = "none", "data-testid": testId }: HexDumpProps) {
  if (bytes === null || bytes.length === 0) {
    return (
      <div className="hexdump hexdump-empty" data-testid={testId}>
        {bytes === null ? emptyText : "0 bytes"}
      </div>
    );
  }
  return (
    <div className="hexdump" data-testid={testId} data-length={bytes.length}>
      {hexDumpLines(bytes).map((line) => (
        <div className="hexdump-line" key={line.offset}>
          <span className="hexdump-offset">{line.offset}</span>
          <span className="hexdump-hex">{line.hex}</span>
          <span className="hexdump-ascii">{line.ascii}</span>
        </div>
      ))}
    </div>
  );
}
