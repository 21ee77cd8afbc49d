import { memo, type ReactNode, useMemo, useState } from "react";
import {
  bytesOf,
  DASH,
  exchangeCcLabel,
  exchangeCommandLabel,
  formatIso,
  formatLatency,
  isRmcpPlusStatus,
  NULL_USER_LABEL,
  netFnLabel,
  responseBytes,
} from "@/components/format";
import type { ExchangeDto } from "@/server/contract/exchange";
import { hexByte } from "@/server/ipmi/hex";
import { hexN } from "@/server/ipmi/layout/format";
import { DecodedFields } from "./DecodedFields";
import { decodeExchange } from "./decodeExchange";
import { type ByteRange, fieldAt, ipmitoolRaw, type LocatedField, locateFields } from "./fieldBytes";
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
  // A session-layer record's request and response are whole payloads (RAKP 1, RAKP 2, ...),
  // the status code inside them.
  const response =
    x.payload === null ? responseBytes(x.cc, x.response) : x.response === null ? null : bytesOf(x.response);
  const decoded = decodeExchange(x);
  // The selected field, on one side: its bytes light up in that side's hex dump, and a
  // clicked byte selects its field.
  const [active, setActive] = useState<{ side: "request" | "response"; key: string } | null>(null);
  const located = useMemo(
    () => ({
      request: decoded.request === undefined ? undefined : locateFields(decoded.request, request),
      // The response dump starts with the completion code; its data, with the fields, after it.
      response:
        decoded.response === undefined || response === null
          ? undefined
          : locateFields(decoded.response, response, x.payload === null && x.cc !== null ? 1 : 0),
    }),
    [decoded.request, decoded.response, request, response, x.payload, x.cc],
  );
  const rangeOf = (side: "request" | "response"): ByteRange | null => {
    if (active?.side !== side) return null;
    return findKey(located[side] ?? [], active.key)?.range ?? null;
  };
  const onByte = (side: "request" | "response") => (offset: number) => {
    const f = fieldAt(located[side] ?? [], offset);
    setActive(f ? { side, key: f.key } : null);
  };
  const copy = (text: string) => void navigator.clipboard?.writeText(text).catch(() => {});
  const rawLine = x.netFn !== null && x.cmd !== null ? ipmitoolRaw(x.netFn, x.cmd, request) : null;
  const cmd =
    x.cmd === null
      ? x.payload === null
        ? DASH
        : exchangeCommandLabel(x)
      : `${exchangeCommandLabel(x)} (${hexByte(x.cmd)})`;
  const fields: [label: string, value: ReactNode][] = [
    ["Exchange", `#${x.id}`],
    ["Bus", `${x.busId} (${x.busKind})`],
    ["Origin", x.origin],
    ["Seq", orDash(x.seq)],
    ["NetFn", netFnLabel(x.netFn)],
    ["LUN", orDash(x.lun)],
    ["Command", cmd],
    [isRmcpPlusStatus(x) ? "RMCP+ status" : "Completion", exchangeCcLabel(x)],
    ["Handler", orDash(x.handlerId)],
    ["Status", <StatusBadge key="status" status={x.status} />],
    ["Note", orDash(x.note)],
    ["Received", formatIso(x.receivedAt)],
    ["Answered", formatIso(x.answeredAt)],
    ["Latency", formatLatency(x.latencyUs)],
  ];
  if (x.relatedId !== null) fields.push(["Late for", `#${x.relatedId}`]);
  // Who sent it, on a network bus (LAN).
  if (x.peer !== null) fields.push(["Peer", x.peer]);
  if (x.user !== null) fields.push(["User", x.user === "" ? NULL_USER_LABEL : x.user]);
  if (x.privilege !== null) fields.push(["Privilege", x.privilege]);
  if (x.sessionId !== null) fields.push(["Session ID", hexN(x.sessionId, 8)]);

  return (
    <aside className="detail" data-testid="exchange-detail" data-id={x.id} aria-label={`Exchange ${x.id}`}>
      <header className="detail-head">
        <h2>
          {x.cmd === null && x.payload === null ? "Undecoded frame" : cmd}{" "}
          <span className="muted">#{x.id}</span>
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
      <div className="detail-copy">
        {rawLine !== null && x.payload === null && (
          <button
            type="button"
            className="btn"
            onClick={() => copy(rawLine)}
            data-testid="copy-ipmitool"
            title={rawLine}
          >
            Copy as ipmitool raw
          </button>
        )}
        <button type="button" className="btn" onClick={() => copy(x.request)} data-testid="copy-request-hex">
          Copy request hex
        </button>
        {response !== null && (
          <button
            type="button"
            className="btn"
            onClick={() => copy([...response].map((b) => b.toString(16).padStart(2, "0")).join(" "))}
            data-testid="copy-response-hex"
          >
            Copy response hex
          </button>
        )}
      </div>
      <div className="detail-sides">
        <section>
          <h3>
            {x.payload === null ? "Request data" : "Request payload"}{" "}
            <span className="muted">({request.length} bytes)</span>
          </h3>
          {decoded.request !== undefined && (
            <DecodedFields
              fields={decoded.request}
              located={located.request}
              active={active?.side === "request" ? active.key : null}
              onSelect={(key) => setActive({ side: "request", key })}
              data-testid="decoded-request"
            />
          )}
          <HexDump
            bytes={request}
            highlight={rangeOf("request")}
            onByte={onByte("request")}
            data-testid="hexdump-request"
          />
        </section>
        <section>
          <h3>
            {x.payload === null ? (
              <>
                Response <span className="muted">(completion code, then data)</span>
              </>
            ) : (
              "Response payload"
            )}
          </h3>
          {decoded.response !== undefined && (
            <DecodedFields
              fields={decoded.response}
              located={located.response}
              active={active?.side === "response" ? active.key : null}
              onSelect={(key) => setActive({ side: "response", key })}
              data-testid="decoded-response"
            />
          )}
          <HexDump
            bytes={response}
            emptyText="no response sent"
            highlight={rangeOf("response")}
            onByte={onByte("response")}
            data-testid="hexdump-response"
          />
        </section>
      </div>
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

function findKey(located: readonly LocatedField[], key: string): LocatedField | null {
  for (const l of located) {
    if (l.key === key) return l;
    const inner = findKey(l.children, key);
    if (inner) return inner;
  }
  return null;
}
