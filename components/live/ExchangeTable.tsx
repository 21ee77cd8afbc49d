"use client";

import { useVirtualizer } from "@tanstack/react-virtual";
import { useCallback, useLayoutEffect, useRef } from "react";
import fleetStyles from "@/components/fleet/fleet.module.css";
import type { ExchangeDto } from "@/server/contract/exchange";
import { ConsoleLaneRow } from "./ConsoleLaneRow";
import { ExchangeRow, SkippedRow } from "./ExchangeRow";
import type { TableRow } from "./state/consoleLane";

/** Fixed heights (px), kept in step with globals.css (--row-h, --head-h). */
export const ROW_HEIGHT = 24;
export const HEADER_HEIGHT = 28;
/** How close to the bottom (px) still counts as "at the newest row". */
const FOLLOW_SLACK = ROW_HEIGHT / 2;
/**
 * Rows rendered beyond the view. Following, the view sits at the bottom, so these are all
 * above it: every one is DOM rebuilt each frame under flat-out traffic, for nothing.
 */
const OVERSCAN = 4;

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
  /** The selected exchange's row key (exchangeRowKey: node and id, as ids repeat across nodes). */
  selectedKey: string | null;
  /** The keyboard cursor's exchange row key: kept in view when it moves. */
  cursorKey?: string | null;
  /** A Node column in front (the fleet is on). */
  showNode?: boolean;
  /** Rows this matches are coloured (the highlight expression). */
  highlight?: ((x: ExchangeDto) => boolean) | null;
  onSelect: (exchange: ExchangeDto) => void;
}

/** The exchange log: a virtualized table that follows its tail. */
export function ExchangeTable({
  rows,
  following,
  onFollowingChange,
  selectedKey,
  cursorKey = null,
  showNode = false,
  highlight = null,
  onSelect,
}: ExchangeTableProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const rowsRef = useRef(rows);
  const followingRef = useRef(following);
  /** The row at the top of the view and how far it is scrolled, kept while not following. */
  const anchorRef = useRef<{ key: string; offset: number } | null>(null);
  /** What the tail was last pinned for (scroll end and view size): unchanged, no scroll write. */
  const pinnedRef = useRef("");
  /** The keys of the rows the last commit rendered. */
  const renderedRef = useRef<ReadonlySet<string>>(new Set());

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => rows[index]?.key ?? index,
    overscan: OVERSCAN,
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
      // Past the end is clamped to it: no read of scrollHeight (a forced layout) to aim.
      // At the ring's cap the end stays put as rows arrive: then there is nothing to write.
      const end = HEADER_HEIGHT + virtualizer.getTotalSize();
      const pin = `${end}:${virtualizer.scrollRect?.height}:${virtualizer.scrollRect?.width}`;
      if (pinnedRef.current !== pin) {
        el.scrollTop = end;
        pinnedRef.current = pin;
      }
      return;
    }
    pinnedRef.current = "";
    const anchor = anchorRef.current;
    if (anchor === null) return;
    const index = rows.findIndex((r) => r.key === anchor.key);
    if (index === -1) return;
    const target = index * ROW_HEIGHT + anchor.offset;
    if (Math.abs(el.scrollTop - target) >= 1) el.scrollTop = target;
  }, [rows, following, virtualizer, virtualizer.scrollRect?.height, virtualizer.scrollRect?.width]);

  // The cursor moved (j/k): bring its row into view.
  useLayoutEffect(() => {
    if (cursorKey === null) return;
    const index = rowsRef.current.findIndex((r) => r.key === cursorKey);
    if (index !== -1) virtualizer.scrollToIndex(index, { align: "auto" });
  }, [cursorKey, virtualizer]);

  const items = virtualizer.getVirtualItems();
  // Under flat-out traffic no row on screen is still there the next frame: then rows are
  // keyed by place, and React updates the DOM it has rather than building it all again.
  // Otherwise by row, so a row that stays keeps its element (memoized, it is not rendered
  // again) and an element never turns into another exchange under a pointer or a test.
  const recycle = items.every((item) => {
    const row = rows[item.index];
    return row !== undefined && !renderedRef.current.has(row.key);
  });
  useLayoutEffect(() => {
    renderedRef.current = new Set(items.flatMap((item) => rows[item.index]?.key ?? []));
  });
  // Rows flow under a padding the height of those above the rendered ones: a row's
  // place is not one of its props, so a row that only moved is not rendered again.
  const padTop = items.length === 0 ? 0 : items[0]!.start - HEADER_HEIGHT;

  return (
    <div
      className="xtable-scroll"
      ref={scrollRef}
      onScroll={onScroll}
      data-testid="exchange-table"
      data-following={following}
      data-rows={rows.length}
    >
      <table className={showNode ? `xtable ${fleetStyles.withNode}` : "xtable"}>
        <thead>
          <tr>
            {(showNode ? ["Node", ...COLUMNS] : COLUMNS).map((c) => (
              <th key={c} scope="col">
                {c}
              </th>
            ))}
          </tr>
        </thead>
        <tbody style={{ height: virtualizer.getTotalSize(), paddingTop: padTop }}>
          {items.map((item, n) => {
            const row = rows[item.index];
            if (row === undefined) return null;
            const key = recycle ? `slot${n}` : row.key;
            switch (row.kind) {
              case "exchange":
                return (
                  <ExchangeRow
                    key={key}
                    exchange={row.exchange}
                    selected={row.key === selectedKey}
                    cursor={row.key === cursorKey}
                    showNode={showNode}
                    highlighted={highlight?.(row.exchange)}
                    onSelect={onSelect}
                  />
                );
              case "console":
                return <ConsoleLaneRow key={key} line={row.line} />;
              default:
                return <SkippedRow key={key} count={row.count} showNode={showNode} />;
            }
          })}
        </tbody>
      </table>
      {rows.length === 0 && <div className="xtable-empty">No exchanges yet.</div>}
    </div>
  );
}
