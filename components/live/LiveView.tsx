"use client";

import { useCallback, useMemo, useRef, useState } from "react";
import { matchesText } from "@/components/format";
import { RatesStrip } from "@/components/rates/RatesStrip";
import type { ExchangeDto } from "@/server/contract/exchange";
import { ExchangeDetail } from "./ExchangeDetail";
import { ExchangeTable } from "./ExchangeTable";
import { KeyHelp } from "./KeyHelp";
import { type KeyAction, moveCursor } from "./keyboard";
import { type LiveFilters, LiveToolbar } from "./LiveToolbar";
import { ReplayPanel } from "./ReplayPanel";
import { type LiveRow, receivedWhilePaused, shownRows } from "./state/exchanges";
import type { LiveState } from "./state/store";
import { useLiveKeys } from "./useLiveKeys";
import { useLiveStore, useLiveValue } from "./useLiveStream";

const selectExchanges = (s: LiveState) => s.exchanges;
const selectBuses = (s: LiveState) => s.buses.list;

const NO_FILTERS: LiveFilters = { text: "", status: "", bus: "" };

function filterRows(rows: readonly LiveRow[], f: LiveFilters): readonly LiveRow[] {
  if (f.text.trim() === "" && f.status === "" && f.bus === "") return rows;
  return rows.filter((row) => {
    if (row.kind === "skipped") return true; // gaps stay visible whatever the filter
    const x = row.exchange;
    return (
      (f.status === "" || x.status === f.status) &&
      (f.bus === "" || x.busId === f.bus) &&
      matchesText(x, f.text)
    );
  });
}

/** The Live page: toolbar, tail-following exchange table, detail pane. */
export function LiveView() {
  const store = useLiveStore();
  const exchanges = useLiveValue(selectExchanges);
  const buses = useLiveValue(selectBuses);
  const [filters, setFilters] = useState<LiveFilters>(NO_FILTERS);
  const [following, setFollowing] = useState(true);
  const [unfollowedAt, setUnfollowedAt] = useState(0);
  const [selected, setSelected] = useState<ExchangeDto | null>(null);
  const [cursor, setCursor] = useState<number | null>(null);
  const [help, setHelp] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);

  // Paused, the table shows the ring as it was when Pause was pressed (the store keeps it).
  const paused = exchanges.paused !== null;
  const received = exchanges.received;
  const sourceRows = shownRows(exchanges);
  const rows = useMemo(() => filterRows(sourceRows, filters), [sourceRows, filters]);

  const togglePause = () => {
    if (paused) {
      store.resume();
      setFollowing(true);
    } else {
      store.pause();
    }
  };

  const onFollowingChange = useCallback(
    (next: boolean) => {
      setFollowing(next);
      if (!next) setUnfollowedAt(received);
    },
    [received],
  );

  const closeDetail = useCallback(() => setSelected(null), []);

  const select = useCallback((x: ExchangeDto) => {
    setSelected(x);
    setCursor(x.id);
  }, []);

  useLiveKeys((action: KeyAction) => {
    switch (action) {
      case "down":
      case "up": {
        const next = moveCursor(rows, cursor, action === "down" ? 1 : -1);
        setCursor(next);
        // Moving off the newest row stops following, so the cursor's row stays put.
        const last = rows.findLast((r) => r.kind === "exchange");
        if (next !== null && last?.kind === "exchange" && last.exchange.id !== next) setFollowing(false);
        return;
      }
      case "open": {
        const row = rows.find((r) => r.kind === "exchange" && r.exchange.id === cursor);
        if (row?.kind === "exchange") setSelected(row.exchange);
        return;
      }
      case "pause":
        togglePause();
        return;
      case "focus-filter":
        filterRef.current?.focus();
        return;
      case "help":
        setHelp((h) => !h);
        return;
      case "close":
        if (help) setHelp(false);
        else setSelected(null);
        return;
    }
  });

  return (
    <div className="live">
      <LiveToolbar
        filterRef={filterRef}
        filters={filters}
        onFiltersChange={setFilters}
        buses={buses}
        paused={paused}
        pausedCount={receivedWhilePaused(exchanges)}
        onTogglePause={togglePause}
        following={following}
        newSinceFollow={Math.max(0, received - unfollowedAt)}
        onJumpToLatest={() => setFollowing(true)}
        shown={rows.length}
        total={sourceRows.length}
      />
      <RatesStrip />
      <div className="live-body">
        <ExchangeTable
          rows={rows}
          following={following && !paused}
          onFollowingChange={onFollowingChange}
          selectedId={selected?.id ?? null}
          cursorId={cursor}
          onSelect={select}
        />
        {selected !== null && (
          <div className="detail-col">
            <ReplayPanel key={selected.id} exchange={selected} onShow={setSelected} />
            <ExchangeDetail exchange={selected} onClose={closeDetail} />
          </div>
        )}
      </div>
      {help && <KeyHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
