"use client";

import { useSearchParams } from "next/navigation";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { requestJson } from "@/components/api";
import { type NodeChoice, nodeParam, nodesToWatch } from "@/components/fleet/nodeChoice";
import { useNodeChoice } from "@/components/fleet/useNodeChoice";
import { RatesStrip } from "@/components/rates/RatesStrip";
import type { ExchangesPage } from "@/server/contract/api";
import type { ConsoleHistoryPageDto } from "@/server/contract/console";
import type { ExchangeDto } from "@/server/contract/exchange";
import { ExchangeDetail } from "./ExchangeDetail";
import { ExchangeTable } from "./ExchangeTable";
import { type ClientFilter, compileClientFilter } from "./expressionFilter";
import { KeyHelp } from "./KeyHelp";
import { type KeyAction, moveCursor } from "./keyboard";
import { type FilterErrors, type LiveFilters, LiveToolbar } from "./LiveToolbar";
import { ReplayPanel } from "./ReplayPanel";
import { interleave, spanOf } from "./state/consoleLane";
import { exchangeRowKey, type LiveRow, receivedWhilePaused, shownRows } from "./state/exchanges";
import type { LiveState } from "./state/store";
import { useLiveKeys } from "./useLiveKeys";
import { useLiveStore, useLiveValue } from "./useLiveStream";

const selectExchanges = (s: LiveState) => s.exchanges;
const selectBuses = (s: LiveState) => s.buses.list;
const selectLane = (s: LiveState) => s.consoleLane;
const selectLive = (s: LiveState) => s.connection.status === "live";

/** How many history pages (of 1000 chunks) a backfill reads at most: the lane holds 5000. */
const BACKFILL_PAGES = 5;

const NO_FILTERS: LiveFilters = { text: "", highlight: "", status: "", bus: "" };

/**
 * The view's filters from the page's URL (?filter=...&highlight=...), so a link shares the
 * view. Read through Next's search params, not window.location: the server renders the
 * page with them (an export link rendered without the filter would stay so after
 * hydration, which does not patch attributes), and after a client-side navigation
 * window.location may still be the previous page's when the view first renders.
 */
function filtersFrom(q: Pick<URLSearchParams, "get">): LiveFilters {
  return { ...NO_FILTERS, text: q.get("filter") ?? "", highlight: q.get("highlight") ?? "" };
}

function laneFrom(q: Pick<URLSearchParams, "get">): boolean {
  return q.get("console") === "1";
}

function writeUrl(f: LiveFilters, lane: boolean): void {
  const q = new URLSearchParams(window.location.search);
  for (const [key, value] of [
    ["filter", f.text],
    ["highlight", f.highlight],
    ["console", lane ? "1" : ""],
  ] as const) {
    if (value.trim() === "") q.delete(key);
    else q.set(key, value);
  }
  const search = q.toString();
  window.history.replaceState(
    window.history.state,
    "",
    `${window.location.pathname}${search ? `?${search}` : ""}`,
  );
}

/** How many of the chosen nodes' newest exchanges the view fetches from the store when it turns to them. */
const NODE_BACKFILL = 500;

/**
 * Which rows the node choice shows. The server sends the chosen nodes' traffic from the
 * switch on; the ring still holds what came before it, which this hides at once.
 */
function nodeTest(choice: NodeChoice, self: string | null): ((x: ExchangeDto) => boolean) | null {
  switch (choice.kind) {
    case "all":
      return null;
    case "node":
      return (x) => x.node === choice.name;
    case "self":
      return self === null ? null : (x) => x.node === undefined || x.node === self;
  }
}

function filterRows(
  rows: readonly LiveRow[],
  f: LiveFilters,
  expr: ClientFilter | null,
  onNode: ((x: ExchangeDto) => boolean) | null,
): readonly LiveRow[] {
  const test = expr?.ok ? expr.test : null;
  if (test === null && onNode === null && f.status === "" && f.bus === "") return rows;
  return rows.filter((row) => {
    if (row.kind === "skipped") return true; // gaps stay visible whatever the filter
    const x = row.exchange;
    return (
      (onNode === null || onNode(x)) &&
      (f.status === "" || x.status === f.status) &&
      (f.bus === "" || x.busId === f.bus) &&
      (test === null || test(x))
    );
  });
}

/** The Live page: toolbar, tail-following exchange table, detail pane. */
export function LiveView() {
  const store = useLiveStore();
  const exchanges = useLiveValue(selectExchanges);
  const buses = useLiveValue(selectBuses);
  const searchParams = useSearchParams();
  const { fleet, self, choice } = useNodeChoice();
  const onNode = useMemo(() => nodeTest(choice, self), [choice, self]);
  // The socket sends the chosen nodes' traffic (asked again by connectLive on every connection).
  useEffect(() => {
    const nodes = nodesToWatch(choice, self);
    if (nodes === null) return;
    const current = store.watchedNodes;
    if (current === null && choice.kind === "self") return; // a connection watches its own node anyway
    if (current !== null && JSON.stringify(current) === JSON.stringify(nodes)) return;
    void store.setNodes(nodes);
  }, [choice, self, store]);
  const [filters, setFilters] = useState<LiveFilters>(() => filtersFrom(searchParams));
  const expr = useMemo(() => compileClientFilter(filters.text), [filters.text]);
  const highlight = useMemo(() => compileClientFilter(filters.highlight), [filters.highlight]);
  const [serverError, setServerError] = useState<{ message: string; position: number } | null>(null);
  const errors: FilterErrors = {
    filter: expr?.ok === false ? { message: expr.error, position: expr.position } : serverError,
    highlight: highlight?.ok === false ? { message: highlight.error, position: highlight.position } : null,
  };
  const [laneOn, setLaneOn] = useState(() => laneFrom(searchParams));
  const lane = useLiveValue(selectLane);
  const live = useLiveValue(selectLive);
  useEffect(() => writeUrl(filters, laneOn), [filters, laneOn]);
  // The server filters what it sends this tab: a valid expression goes to it, a moment after typing stops.
  useEffect(() => {
    if (expr?.ok === false) return;
    const text = filters.text;
    const timer = setTimeout(() => {
      void store
        .setServerFilter(text)
        .then((r) => setServerError(r.ok ? null : { message: r.error, position: r.position }));
    }, 300);
    return () => clearTimeout(timer);
  }, [filters, expr, store]);
  // Other nodes' traffic reaches the socket from the switch on; what they did just before
  // comes from the fleet's store (the history API), merged into the ring by time, filtered
  // by the same expression the server applies to this tab.
  const nodeValue = nodeParam(choice);
  const backfillFilter = expr?.ok === false ? null : filters.text;
  useEffect(() => {
    if (nodeValue === null || !live || backfillFilter === null) return;
    const abort = new AbortController();
    const timer = setTimeout(() => {
      const q = new URLSearchParams({ node: nodeValue, limit: String(NODE_BACKFILL) });
      if (backfillFilter.trim() !== "") q.set("filter", backfillFilter);
      requestJson<ExchangesPage>(`/api/exchanges?${q.toString()}`, { signal: abort.signal })
        .then((page) => store.backfillExchanges(page.exchanges))
        .catch(() => undefined); // the live stream still fills the view; the backfill is a nicety
    }, 300);
    return () => {
      clearTimeout(timer);
      abort.abort();
    };
  }, [nodeValue, live, backfillFilter, store]);
  // The lane: asked of the server once (and again on every new connection, which starts
  // without it), then the history fills in the span the exchange list covers. Asking first
  // leaves no gap; what both bring (the same chunk id) is kept once.
  useEffect(() => {
    if (!laneOn) return;
    if (!live) {
      void store.setConsoleLane(true);
      return;
    }
    let cancelled = false;
    void (async () => {
      const asked = await store.setConsoleLane(true);
      if (!asked.ok || cancelled) return;
      const state = store.getState().exchanges;
      const span = spanOf(shownRows(state), state.paused === null);
      let before: number | null = null;
      for (let page = 0; page < BACKFILL_PAGES && !cancelled; page++) {
        const q = new URLSearchParams({ limit: "1000" });
        if (span.from !== null) q.set("from", String(span.from));
        if (span.until !== null) q.set("to", String(span.until));
        if (before !== null) q.set("before", String(before));
        let got: ConsoleHistoryPageDto;
        try {
          got = await requestJson<ConsoleHistoryPageDto>(`/api/console/history?${q.toString()}`);
        } catch {
          return; // the lane still fills live; the history is a nicety
        }
        if (cancelled) return;
        store.backfillConsole(got.chunks);
        if (got.nextBefore === null) return;
        before = got.nextBefore;
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [laneOn, live, store]);
  useEffect(() => {
    if (!laneOn) return;
    // Off (or leaving the page, the socket stays): the server stops sending chunks.
    return () => void store.setConsoleLane(false);
  }, [laneOn, store]);
  const [following, setFollowing] = useState(true);
  const [unfollowedAt, setUnfollowedAt] = useState(0);
  const [selected, setSelected] = useState<ExchangeDto | null>(null);
  /** The cursor's row key (exchangeRowKey): ids repeat across nodes. */
  const [cursor, setCursor] = useState<string | null>(null);
  const [help, setHelp] = useState(false);
  const filterRef = useRef<HTMLInputElement>(null);

  // Paused, the table shows the ring as it was when Pause was pressed (the store keeps it).
  const paused = exchanges.paused !== null;
  const received = exchanges.received;
  const sourceRows = shownRows(exchanges);
  const filtered = useMemo(
    () => filterRows(sourceRows, filters, expr, onNode),
    [sourceRows, filters, expr, onNode],
  );
  // Console lines for the span of the whole list (a filter hides exchanges, not time).
  const rows = useMemo(
    () => (lane.on ? interleave(filtered, lane.chunks, spanOf(sourceRows, !paused)) : filtered),
    [filtered, lane, sourceRows, paused],
  );
  const highlightTest = highlight?.ok ? highlight.test : null;

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
    setCursor(exchangeRowKey(x));
  }, []);

  useLiveKeys((action: KeyAction) => {
    switch (action) {
      case "down":
      case "up": {
        const next = moveCursor(rows, cursor, action === "down" ? 1 : -1);
        setCursor(next);
        // Moving off the newest row stops following, so the cursor's row stays put.
        const last = rows.findLast((r) => r.kind === "exchange");
        if (next !== null && last !== undefined && last.key !== next) setFollowing(false);
        return;
      }
      case "open": {
        const row = rows.find((r) => r.key === cursor);
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
        errors={errors}
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
        shown={filtered.length}
        total={sourceRows.length}
        consoleLane={laneOn}
        onConsoleLaneChange={setLaneOn}
      />
      <RatesStrip />
      <div className="live-body">
        <ExchangeTable
          rows={rows}
          following={following && !paused}
          onFollowingChange={onFollowingChange}
          selectedKey={selected === null ? null : exchangeRowKey(selected)}
          cursorKey={cursor}
          showNode={fleet !== null}
          highlight={highlightTest}
          onSelect={select}
        />
        {selected !== null && (
          <div className="detail-col">
            <ReplayPanel key={exchangeRowKey(selected)} exchange={selected} onShow={setSelected} />
            <ExchangeDetail exchange={selected} onClose={closeDetail} />
          </div>
        )}
      </div>
      {help && <KeyHelp onClose={() => setHelp(false)} />}
    </div>
  );
}
