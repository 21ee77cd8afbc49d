import { memo, type ReactNode } from "react";
import {
  bytesOf,
  ccLabel,
  DASH,
  exchangeCommandLabel,
  formatIso,
  formatLatency,
  netFnLabel,
  responseBytes,
} from "@/components/format";
import type { ExchangeDto } from "@/server/contract/exchange";
import { hexByte } from "@/server/ipmi/hex";
import { DecodedFields } from "./DecodedFields";
import { decodeExchange } from "./decodeExchange";
import { HexDump } from "./HexDump";
import { StatusBadge } from "./StatusBadge";

interface ExchangeDetailProps {
  exchange: ExchangeDto;
  onClose: () => void;
}

function orDash(value: string | number | null): string {
  return value === null ? DASH : String(value);
}

/**
 * The decoded header, the decoded request and response fields, and hex dumps of one exchange.
 * Memoised: the Live page re-renders with every batch, the selected exchange does not change.
 */
export const ExchangeDetail = memo(function ExchangeDetail({ exchange: x, onClose }: ExchangeDetailProps) {
  const request = bytesOf(x.request);
  const response = responseBytes(x.cc, x.response);
  const decoded = decodeExchange(x);
  const cmd = x.cmd === null ? DASH : `${exchangeCommandLabel(x)} (${hexByte(x.cmd)})`;
  const fields: [label: string, value: ReactNode][] = [
    ["Exchange", `#${x.id}`],
    ["Bus", `${x.busId} (${x.busKind})`],
    ["Origin", x.origin],
    ["Seq", orDash(x.seq)],
    ["NetFn", netFnLabel(x.netFn)],
    ["LUN", orDash(x.lun)],
    ["Command", cmd],
    ["Completion", ccLabel(x.cc)],
    ["Handler", orDash(x.handlerId)],
    ["Status", <StatusBadge key="status" status={x.status} />],
    ["Note", orDash(x.note)],
    ["Received", formatIso(x.receivedAt)],
    ["Answered", formatIso(x.answeredAt)],
    ["Latency", formatLatency(x.latencyUs)],
  ];
  if (x.relatedId !== null) fields.push(["Late for", `#${x.relatedId}`]);

  return (
    <aside className="detail" data-testid="exchange-detail" data-id={x.id} aria-label={`Exchange ${x.id}`}>
      <header className="detail-head">
        <h2>
          {x.cmd === null ? "Undecoded frame" : cmd} <span className="muted">#{x.id}</span>
        </h2>
        <button type="button" className="btn" onClick={onClose} data-testid="detail-close" aria-label="Close">
          ×
        </button>
      </header>
      <dl className="detail-fields">
        {fields.map(([label, value]) => (
          <div key={label} className="detail-field">
            <dt>{label}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
      <section>
        <h3>
          Request data <span className="muted">({request.length} bytes)</span>
        </h3>
        {decoded.request !== undefined && (
          <DecodedFields fields={decoded.request} data-testid="decoded-request" />
        )}
        <HexDump bytes={request} data-testid="hexdump-request" />
      </section>
      <section>
        <h3>
          Response <span className="muted">(completion code, then data)</span>
        </h3>
        {decoded.response !== undefined && (
          <DecodedFields fields={decoded.response} data-testid="decoded-response" />
        )}
        <HexDump bytes={response} emptyText="no response sent" data-testid="hexdump-response" />
      </section>
      {x.frame !== null && (
        // Every request from a bus carries the bytes it arrived as (a BT frame, a VM
        // message); a malformed record has only these.
        <section>
          <h3>
            Raw frame{" "}
            <span className="muted">
              ({bytesOf(x.frame).length} bytes as they arrived on {x.busId})
            </span>
          </h3>
          <HexDump bytes={bytesOf(x.frame)} data-testid="hexdump-frame" />
        </section>
      )}
    </aside>
  );
});
