"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { matchesText } from "@/components/format";
import type { ExchangeDto } from "@/server/contract/exchange";
import { ExchangeDetail } from "./ExchangeDetail";
import { ExchangeTable } from "./ExchangeTable";
import { type LiveFilters, LiveToolbar } from "./LiveToolbar";
import { ReplayPanel } from "./ReplayPanel";
import { type LiveRow, receivedWhilePaused, shownRows } from "./state/exchanges";
import type { LiveState } from "./state/store";
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

  useEffect(() => {
    if (selected === null) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === "Escape") setSelected(null);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [selected]);

  return (
    <div className="live">
      <LiveToolbar
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
      <div className="live-body">
        <ExchangeTable
          rows={rows}
          following={following && !paused}
          onFollowingChange={onFollowingChange}
          selectedId={selected?.id ?? null}
          onSelect={setSelected}
        />
        {selected !== null && (
          <div className="detail-col">
            <ReplayPanel key={selected.id} exchange={selected} onShow={setSelected} />
            <ExchangeDetail exchange={selected} onClose={closeDetail} />
          </div>
        )}
      </div>
    </div>
  );
}
