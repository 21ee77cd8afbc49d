"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { ApiRequestError, messageOf, requestJson } from "@/components/api";
import { nodeParam } from "@/components/fleet/nodeChoice";
import { useNodeChoice } from "@/components/fleet/useNodeChoice";
import { ExchangeDetail } from "@/components/live/ExchangeDetail";
import { ExchangeTable } from "@/components/live/ExchangeTable";
import { ExportLinks } from "@/components/live/ExportLinks";
import { compileClientFilter } from "@/components/live/expressionFilter";
import { FilterBox } from "@/components/live/FilterBox";
import { exchangeRowKey, type LiveRow } from "@/components/live/state/exchanges";
import type { ExchangesPage } from "@/server/contract/api";
import type { ExchangeDto } from "@/server/contract/exchange";
import {
  FIRST_PAGE,
  type HistoryUrlState,
  historySearch,
  isPageSize,
  newerPage,
  olderPage,
  PAGE_SIZES,
  type PageSize,
  type Paging,
  pageIndex,
  pageQuery,
  rowsLabel,
} from "./historyState";
import { LogInfoLine } from "./LogInfoLine";

/** How long typing must pause before the filter goes to the server. */
const FILTER_DELAY_MS = 300;

type FilterError = { message: string; position: number };

type Load =
  | { state: "loading" }
  | { state: "ok"; page: ExchangesPage }
  | { state: "failed"; message: string };

function writeUrl(state: HistoryUrlState): void {
  const search = historySearch(state, window.location.search);
  window.history.replaceState(window.history.state, "", `${window.location.pathname}${search}`);
}

function noop(): void {}

/**
 * The History page: every exchange in the log that the filter selects, newest first, a
 * page at a time (keyset paging), with the highlight box and the detail pane. With the
 * fleet on, the node picker's choice picks the log: this node's own (SQLite), another
 * node's or every node's (the shared store, with a Node column).
 */
export function HistoryView({ initial }: { initial: HistoryUrlState }) {
  const [text, setText] = useState(initial.filter);
  const [highlightText, setHighlightText] = useState(initial.highlight);
  const [size, setSize] = useState<PageSize>(initial.size);
  /** The filter the shown page was asked with (the box, a moment after typing stops). */
  const [filter, setFilter] = useState(initial.filter);
  const [paging, setPaging] = useState<Paging>(FIRST_PAGE);
  const [reloads, setReloads] = useState(0);
  const [load, setLoad] = useState<Load>({ state: "loading" });
  /** The last page that loaded, shown while the next one loads. */
  const [shown, setShown] = useState<ExchangesPage | null>(null);
  const [serverError, setServerError] = useState<FilterError | null>(null);
  const [selected, setSelected] = useState<ExchangeDto | null>(null);
  const { choice } = useNodeChoice();
  const node = nodeParam(choice);
  const fromStore = node !== null;

  const highlight = useMemo(() => compileClientFilter(highlightText), [highlightText]);
  const highlightError: FilterError | null =
    highlight?.ok === false ? { message: highlight.error, position: highlight.position } : null;

  useEffect(() => {
    writeUrl({ filter: text, highlight: highlightText, size });
  }, [text, highlightText, size]);

  // The box's text goes to the server a moment after typing stops, from the newest page.
  useEffect(() => {
    if (text === filter) return;
    const timer = setTimeout(() => {
      setFilter(text);
      setPaging(FIRST_PAGE);
    }, FILTER_DELAY_MS);
    return () => clearTimeout(timer);
  }, [text, filter]);

  // Another log: its own newest page (a cursor of one log means nothing in another).
  // biome-ignore lint/correctness/useExhaustiveDependencies: `node` is the trigger
  useEffect(() => {
    setPaging(FIRST_PAGE);
    setSelected(null);
  }, [node]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: `reloads` asks for the same page again
  useEffect(() => {
    const abort = new AbortController();
    setLoad({ state: "loading" });
    requestJson<ExchangesPage>(`/api/exchanges?${pageQuery(filter, size, paging, node)}`, {
      signal: abort.signal,
    })
      .then((page) => {
        setLoad({ state: "ok", page });
        setShown(page);
        setServerError(null);
      })
      .catch((e: unknown) => {
        if (abort.signal.aborted) return;
        if (e instanceof ApiRequestError && e.status === 400 && e.position !== null) {
          setServerError({ message: e.message, position: e.position });
          const empty: ExchangesPage = { exchanges: [], nextBefore: null, nextCursor: null };
          setShown(empty);
          setLoad({ state: "ok", page: empty });
        } else {
          setLoad({ state: "failed", message: messageOf(e) });
        }
      });
    return () => abort.abort();
  }, [filter, size, paging, reloads, node]);

  const rows = useMemo<LiveRow[]>(
    () => (shown?.exchanges ?? []).map((x) => ({ kind: "exchange", key: exchangeRowKey(x), exchange: x })),
    [shown],
  );
  const exchanges = shown?.exchanges ?? [];
  const nextCursor = shown?.nextCursor ?? null;
  const loading = load.state === "loading";
  // The error belongs to the text that was sent; once the box says something else, it waits for the answer.
  const filterError = text === filter ? serverError : null;

  const closeDetail = useCallback(() => setSelected(null), []);
  const select = useCallback((x: ExchangeDto) => setSelected(x), []);

  return (
    <div className="live history" data-testid="history-view">
      <div className="toolbar" data-testid="history-toolbar">
        <FilterBox
          label="Filter (filter language)"
          placeholder='Filter: cmd == "Get Device ID" and latency > 2ms'
          data-testid="filter-text"
          value={text}
          onChange={setText}
          error={filterError}
        />
        <FilterBox
          label="Highlight (filter language)"
          placeholder="Highlight: cc != 0"
          data-testid="highlight-text"
          value={highlightText}
          onChange={setHighlightText}
          error={highlightError}
        />
        <select
          className="input"
          aria-label="Rows per page"
          data-testid="history-page-size"
          value={size}
          onChange={(e) => {
            const n = Number(e.target.value);
            if (!isPageSize(n)) return;
            setSize(n);
            setPaging(FIRST_PAGE);
          }}
        >
          {PAGE_SIZES.map((n) => (
            <option key={n} value={n}>
              {n} per page
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn"
          data-testid="history-newest"
          onClick={() => {
            setPaging(FIRST_PAGE);
            setReloads((n) => n + 1);
          }}
          title="The newest page, read again"
        >
          ⟳ Newest
        </button>
        <button
          type="button"
          className="btn"
          data-testid="history-newer"
          disabled={pageIndex(paging) === 0 || loading}
          onClick={() => setPaging(newerPage)}
        >
          ← Newer
        </button>
        <button
          type="button"
          className="btn"
          data-testid="history-older"
          disabled={nextCursor === null || loading}
          onClick={() => setPaging((p) => olderPage(p, nextCursor))}
        >
          Older →
        </button>
        <span
          className="muted counts"
          data-testid="history-count"
          data-count={exchanges.length}
          data-page={pageIndex(paging)}
          data-first-id={exchanges[0]?.id}
          data-last-id={exchanges[exchanges.length - 1]?.id}
          data-loading={loading || undefined}
        >
          {rowsLabel(paging, size, exchanges.length)}
          {exchanges.length > 0 && nextCursor === null ? " (the oldest)" : ""}
          {loading ? " …" : ""}
        </span>
        {load.state === "failed" && (
          <span className="pill pill-warn" role="alert" data-testid="history-failed">
            {load.message}
          </span>
        )}
        <span className="spacer" />
        {fromStore ? (
          <span className="muted" data-testid="history-source" data-node={node}>
            {node === "all" ? "Every node's log" : `Node ${node}'s log`}, from the fleet&apos;s shared store
            (each node&apos;s newest exchanges arrive with its shipping lag)
          </span>
        ) : (
          <LogInfoLine />
        )}
        <ExportLinks status="" bus="" filter={filterError ? "" : filter} node={node} />
      </div>
      <div className="live-body">
        <ExchangeTable
          key={`${node}\u0000${filter}\u0000${size}\u0000${paging.before ?? "newest"}`}
          rows={rows}
          showNode={fromStore}
          following={false}
          onFollowingChange={noop}
          selectedKey={selected === null ? null : exchangeRowKey(selected)}
          highlight={highlight?.ok ? highlight.test : null}
          onSelect={select}
        />
        {selected !== null && (
          <div className="detail-col">
            <ExchangeDetail exchange={selected} onClose={closeDetail} />
          </div>
        )}
      </div>
    </div>
  );
}
