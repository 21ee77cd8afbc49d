"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { matchesText } from "@/components/format";
import type { ExchangeDto } from "@/server/contract/exchange";
import { ExchangeDetail } from "./ExchangeDetail";
import { ExchangeTable } from "./ExchangeTable";
import { type LiveFilters, LiveToolbar } from "./LiveToolbar";
import type { LiveRow } from "./liveStore";
import { ReplayPanel } from "./ReplayPanel";
import { useLiveStream } from "./useLiveStream";

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
  const live = useLiveStream();
  const [filters, setFilters] = useState<LiveFilters>(NO_FILTERS);
  // Pause freezes the rows shown; `frozen` is the ring as it was when Pause was pressed.
  const [frozen, setFrozen] = useState<{ rows: readonly LiveRow[]; received: number } | null>(null);
  const [following, setFollowing] = useState(true);
  const [unfollowedAt, setUnfollowedAt] = useState(0);
  const [selected, setSelected] = useState<ExchangeDto | null>(null);

  const sourceRows = frozen?.rows ?? live.rows;
  const rows = useMemo(() => filterRows(sourceRows, filters), [sourceRows, filters]);

  const togglePause = () => {
    if (frozen === null) {
      setFrozen({ rows: live.rows, received: live.received });
    } else {
      setFrozen(null);
      setFollowing(true);
    }
  };

  const onFollowingChange = useCallback(
    (next: boolean) => {
      setFollowing(next);
      if (!next) setUnfollowedAt(live.received);
    },
    [live.received],
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
        buses={live.buses}
        paused={frozen !== null}
        pausedCount={frozen === null ? 0 : live.received - frozen.received}
        onTogglePause={togglePause}
        following={following}
        newSinceFollow={Math.max(0, live.received - unfollowedAt)}
        onJumpToLatest={() => setFollowing(true)}
        shown={rows.length}
        total={sourceRows.length}
      />
      <div className="live-body">
        <ExchangeTable
          rows={rows}
          following={following && frozen === null}
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
