"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useLayoutEffect, useRef } from "react";
import type { ExchangeDto } from "@/server/contract/exchange";
import { ConsoleLaneRow } from "./ConsoleLaneRow";
import { ExchangeRow, SkippedRow } from "./ExchangeRow";
import type { TableRow } from "./state/consoleLane";

/** Fixed heights (px), kept in step with globals.css (--row-h, --head-h). */
export const ROW_HEIGHT = 24;
export const HEADER_HEIGHT = 28;
/** How close to the bottom (px) still counts as "at the newest row". */
const FOLLOW_SLACK = ROW_HEIGHT / 2;

/** In the order ExchangeRow renders its cells (COLUMN_COUNT of them); globals.css sizes them (--xcols). */
const COLUMNS = [
  "Time",
  "Bus",
  "From",
  "NetFn",
  "Command",
  "Seq",
  "Completion",
  "Latency",
  "Handler",
  "Status",
];

interface ExchangeTableProps {
  /** Exchanges, gap markers and, with the console lane on, console lines. */
  rows: readonly TableRow[];
  /** Keep the newest row in view as rows arrive. */
  following: boolean;
  /** Scrolling up stops following; scrolling back to the bottom starts it again. */
  onFollowingChange: (following: boolean) => void;
  selectedId: number | null;
  /** The keyboard cursor's exchange: kept in view when it moves. */
  cursorId?: number | null;
  /** Rows this matches are coloured (the highlight expression). */
  highlight?: ((x: ExchangeDto) => boolean) | null;
  onSelect: (exchange: ExchangeDto) => void;
}

/** The exchange log: a virtualized table that follows its tail. */
export function ExchangeTable({
  rows,
  following,
  onFollowingChange,
  selectedId,
  cursorId = null,
  highlight = null,
  onSelect,
}: ExchangeTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef(rows);
  const followingRef = useRef(following);
  /** The row at the top of the view and how far it is scrolled, kept while not following. */
  const anchorRef = useRef<{ key: string; offset: number } | null>(null);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]?.key ?? index,
    overscan: 20,
    scrollMargin: HEADER_HEIGHT,
  });

  const onScroll = useCallback(() => {
    const el = scrollRef.current;
    if (el === null) return;
    const index = Math.max(0, Math.floor(el.scrollTop / ROW_HEIGHT));
    const row = rowsRef.current[index];
    anchorRef.current =
      row === undefined ? null : { key: row.key, offset: el.scrollTop - index * ROW_HEIGHT };
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight <= FOLLOW_SLACK;
    if (atEnd !== followingRef.current) {
      followingRef.current = atEnd;
      onFollowingChange(atEnd);
    }
  }, [onFollowingChange]);

  // After every change of rows: pin the tail while following; otherwise keep the row
  // that was at the top in place (rows fall off the front, filters change).
  useLayoutEffect(() => {
    rowsRef.current = rows;
    followingRef.current = following;
    const el = scrollRef.current;
    if (el === null) return;
    if (following) {
      el.scrollTop = el.scrollHeight;
      return;
    }
    const anchor = anchorRef.current;
    if (anchor === null) return;
    const index = rows.findIndex((r) => r.key === anchor.key);
    if (index === -1) return;
    const target = index * ROW_HEIGHT + anchor.offset;
    if (Math.abs(el.scrollTop - target) >= 1) el.scrollTop = target;
  }, [rows, following]);

  // The cursor moved (j/k): bring its row into view.
  useLayoutEffect(() => {
    if (cursorId === null) return;
    const index = rowsRef.current.findIndex((r) => r.kind === "exchange" && r.exchange.id === cursorId);
    if (index !== -1) virtualizer.scrollToIndex(index, { align: "auto" });
  }, [cursorId, virtualizer]);

  const items = virtualizer.getVirtualItems();

  return (
    <div
      className="xtable-scroll"
      ref={scrollRef}
      onScroll={onScroll}
      data-testid="exchange-table"
      data-following={following}
      data-rows={rows.length}
    >
      <table className="xtable">
        <thead>
          <tr>
            {COLUMNS.map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (row === undefined) return null;
            const top = item.start - HEADER_HEIGHT;
            switch (row.kind) {
              case "exchange":
                return (
                  <ExchangeRow
                    key={row.key}
                    exchange={row.exchange}
                    top={top}
                    selected={row.exchange.id === selectedId}
                    cursor={row.exchange.id === cursorId}
                    highlighted={highlight?.(row.exchange)}
                    onSelect={onSelect}
                  />
                );
              case "console":
                return <ConsoleLaneRow key={row.key} line={row.line} top={top} />;
              default:
                return <SkippedRow key={row.key} count={row.count} top={top} />;
            }
          })}
        </tbody>
      </table>
      {rows.length === 0 && <div className="xtable-empty">No exchanges yet.</div>}
    </div>
  );
}
