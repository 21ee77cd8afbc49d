import type { Ref } from "react";
import type { ExchangeStatus } from "@/server/contract/exchange";
import { EXCHANGE_STATUSES } from "@/server/contract/exchange";
import type { BusInfo } from "@/server/contract/handlers";
import { ExportLinks } from "./ExportLinks";
import { FilterBox } from "./FilterBox";

export interface LiveFilters {
  /** A filter-language expression (docs/filters.md); the server sends only what matches. */
  text: string;
  /** Rows matching this expression are coloured, the others stay. */
  highlight: string;
  status: ExchangeStatus | "";
  bus: string;
}

export interface FilterErrors {
  filter: { message: string; position: number } | null;
  highlight: { message: string; position: number } | null;
}

interface LiveToolbarProps {
  errors: FilterErrors;
  /** The filter input, for the "/" key. */
  filterRef?: Ref<HTMLInputElement>;
  filters: LiveFilters;
  onFiltersChange: (filters: LiveFilters) => void;
  buses: readonly BusInfo[];
  paused: boolean;
  /** Exchanges received since Pause was pressed. */
  pausedCount: number;
  onTogglePause: () => void;
  following: boolean;
  /** Exchanges received since the view stopped following. */
  newSinceFollow: number;
  onJumpToLatest: () => void;
  shown: number;
  total: number;
  /** The host console's lines among the exchanges (?console=1). */
  consoleLane: boolean;
  onConsoleLaneChange: (on: boolean) => void;
}

function isStatus(value: string): value is ExchangeStatus {
  return (EXCHANGE_STATUSES as readonly string[]).includes(value);
}

/** Filters, pause/follow controls, counters and export links above the exchange table. */
export function LiveToolbar(props: LiveToolbarProps) {
  const { filters, onFiltersChange, buses, paused, pausedCount, following, newSinceFollow } = props;
  return (
    <div className="toolbar" data-testid="live-toolbar">
      <FilterBox
        label="Filter (filter language)"
        placeholder='Filter: cmd == "Get Device ID" and latency > 2ms'
        data-testid="filter-text"
        inputRef={props.filterRef}
        value={filters.text}
        onChange={(text) => onFiltersChange({ ...filters, text })}
        error={props.errors.filter}
      />
      <FilterBox
        label="Highlight (filter language)"
        placeholder="Highlight: cc != 0"
        data-testid="highlight-text"
        value={filters.highlight}
        onChange={(highlight) => onFiltersChange({ ...filters, highlight })}
        error={props.errors.highlight}
      />
      <select
        className="input"
        aria-label="Filter by status"
        data-testid="filter-status"
        value={filters.status}
        onChange={(e) =>
          onFiltersChange({ ...filters, status: isStatus(e.target.value) ? e.target.value : "" })
        }
      >
        <option value="">all statuses</option>
        {EXCHANGE_STATUSES.map((s) => (
          <option key={s} value={s}>
            {s}
          </option>
        ))}
      </select>
      <select
        className="input"
        aria-label="Filter by bus"
        data-testid="filter-bus"
        value={filters.bus}
        onChange={(e) => onFiltersChange({ ...filters, bus: e.target.value })}
      >
        <option value="">all buses</option>
        {buses.map((b) => (
          <option key={b.id} value={b.id}>
            {b.id} ({b.kind})
          </option>
        ))}
      </select>
      <button
        type="button"
        className={`btn${paused ? " btn-active" : ""}`}
        onClick={props.onTogglePause}
        aria-pressed={paused}
        data-testid="pause-toggle"
      >
        {paused ? "▶ Resume" : "❚❚ Pause"}
      </button>
      {paused && (
        <span className="pill pill-warn" data-testid="paused-count" data-count={pausedCount}>
          {pausedCount} new while paused
        </span>
      )}
      {!paused && !following && (
        <button type="button" className="btn" onClick={props.onJumpToLatest} data-testid="jump-to-latest">
          ↓ Newest{newSinceFollow > 0 ? ` (${newSinceFollow} new)` : ""}
        </button>
      )}
      <button
        type="button"
        className={`btn${props.consoleLane ? " btn-active" : ""}`}
        onClick={() => props.onConsoleLaneChange(!props.consoleLane)}
        aria-pressed={props.consoleLane}
        title="Show the host console's output among the exchanges, by time"
        data-testid="console-lane-toggle"
      >
        Console lane
      </button>
      <span className="muted counts" data-testid="row-counts">
        {props.shown === props.total ? `${props.total} rows` : `${props.shown} of ${props.total} rows`}
      </span>
      <span className="spacer" />
      <ExportLinks
        status={filters.status}
        bus={filters.bus}
        filter={props.errors.filter ? "" : filters.text}
      />
    </div>
  );
}
