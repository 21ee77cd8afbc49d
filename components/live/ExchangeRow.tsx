import { memo } from "react";
import {
  DASH,
  exchangeCcLabel,
  exchangeCcName,
  exchangeCommandLabel,
  exchangeFrom,
  formatLatency,
  formatTime,
  hex2,
  isRmcpPlusStatus,
  netFnLabel,
} from "@/components/format";
import type { ExchangeDto } from "@/server/contract/exchange";
import { hexByte } from "@/server/ipmi/hex";
import { OriginBadge, RuleTag } from "./OriginBadge";
import { StatusBadge } from "./StatusBadge";

interface ExchangeRowProps {
  exchange: ExchangeDto;
  selected: boolean;
  /** The keyboard cursor is on this row (j/k). */
  cursor?: boolean;
  /** The highlight expression matches it. */
  highlighted?: boolean;
  /** The fleet is on: a Node cell first. */
  showNode?: boolean;
  onSelect: (exchange: ExchangeDto) => void;
}

/** One exchange as a table row (the virtualized table places it: no position of its own, so moving it renders nothing). */
export const ExchangeRow = memo(function ExchangeRow({
  exchange: x,
  selected,
  cursor = false,
  highlighted = false,
  showNode = false,
  onSelect,
}: ExchangeRowProps) {
  const hasHeader = x.netFn !== null && x.cmd !== null;
  // A LAN handshake record has no IPMI header: its payload names it.
  const cmdName = hasHeader || x.payload !== null ? exchangeCommandLabel(x) : "";
  const cc = isRmcpPlusStatus(x) ? `RMCP+ status ${exchangeCcLabel(x)}` : exchangeCcLabel(x);
  const from = exchangeFrom(x);
  return (
    <tr
      className={`xrow xrow-${x.status}${selected ? " selected" : ""}${cursor ? " cursor" : ""}${highlighted ? " hl" : ""}`}
      onClick={() => onSelect(x)}
      aria-selected={selected}
      data-cursor={cursor || undefined}
      data-highlighted={highlighted || undefined}
      data-testid="exchange-row"
      data-id={x.id}
      data-node={x.node}
      data-bus={x.busId}
      data-cc={hex2(x.cc)}
      data-cmd-name={cmdName}
      data-status={x.status}
      data-origin={x.origin}
      data-rule-id={x.ruleId ?? undefined}
      data-user={x.user ?? undefined}
      data-peer={x.peer ?? undefined}
    >
      {showNode && <td data-testid="exchange-node">{x.node ?? DASH}</td>}
      <td className="mono">{formatTime(x.receivedAt)}</td>
      <td title={x.busKind}>{x.busId}</td>
      <td title={x.privilege === null ? from : `${from} (privilege ${x.privilege})`}>{from}</td>
      <td>{netFnLabel(x.netFn)}</td>
      <td
        title={
          x.cmd === null
            ? cmdName || undefined
            : `${cmdName} (${hexByte(x.cmd)})${x.origin === "host" ? "" : `, ${x.origin}`}`
        }
      >
        <OriginBadge origin={x.origin} />
        {cmdName || DASH}
      </td>
      <td className="num">{x.seq ?? DASH}</td>
      <td title={cc}>
        {x.cc === null ? (
          DASH
        ) : (
          <>
            <span className="mono cc-hex">{hex2(x.cc)}</span> {exchangeCcName(x)}
          </>
        )}
      </td>
      <td className="num mono">{formatLatency(x.latencyUs)}</td>
      <td title={x.note ?? undefined}>
        <RuleTag ruleId={x.ruleId} />
        {x.handlerId ?? (x.ruleId === null ? DASH : "")}
      </td>
      <td>
        <StatusBadge status={x.status} />
      </td>
    </tr>
  );
});

export const COLUMN_COUNT = 10;

/** A marker where the server dropped exchanges for this (slow) client. */
export function SkippedRow({ count, showNode = false }: { count: number; showNode?: boolean }) {
  return (
    <tr className="xrow xrow-skipped" data-testid="skipped-row" data-count={count}>
      <td className="skipped-cell" colSpan={COLUMN_COUNT + (showNode ? 1 : 0)}>
        ⋯ {count} skipped
      </td>
    </tr>
  );
}
