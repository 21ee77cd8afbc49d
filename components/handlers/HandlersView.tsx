"use client";

import { useCallback, useEffect, useMemo, useState } from "react";
import { useCanControl, useLiveStore, useLiveStream } from "@/components/live/useLiveStream";
import type { HandlerInfo } from "@/server/contract/handlers";
import { HandlersTable } from "./HandlersTable";
import { fetchHandlers } from "./handlersApi";

function matches(h: HandlerInfo, q: string): boolean {
  if (q === "") return true;
  return [h.key, h.id, h.netFnName, h.cmdName, h.description ?? ""].some((s) => s.toLowerCase().includes(q));
}

/** The Handlers page: the live handler list (or GET /api/handlers until the socket has one). */
export function HandlersView() {
  const store = useLiveStore();
  const { handlers, handlersSource, connection } = useLiveStream();
  const [loadError, setLoadError] = useState<string | null>(null);
  const [query, setQuery] = useState("");
  const canControl = useCanControl();

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        store.setHandlersFromRest(await fetchHandlers(signal));
        setLoadError(null);
      } catch (e) {
        if (!signal?.aborted) setLoadError(e instanceof Error ? e.message : String(e));
      }
    },
    [store],
  );

  // While the socket is not live the REST API is the source: on load and when the socket drops.
  useEffect(() => {
    if (connection === "live" || connection === "signed-out") return;
    const ctrl = new AbortController();
    void load(ctrl.signal);
    return () => ctrl.abort();
  }, [connection, load]);

  const onChanged = (handler: HandlerInfo) => {
    store.upsertHandler(handler);
    // Offline, no handler events arrive; a toggle can change which handler is active for a key.
    if (connection !== "live") void load();
  };

  const q = query.trim().toLowerCase();
  const shown = useMemo(() => handlers.filter((h) => matches(h, q)), [handlers, q]);
  const enabled = handlers.filter((h) => h.enabled).length;

  return (
    <div className="handlers">
      <div className="toolbar">
        <input
          type="search"
          className="input"
          placeholder="Filter key, id, name…"
          aria-label="Filter handlers"
          data-testid="handler-filter"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <span className="muted" data-testid="handler-counts">
          {handlers.length} handlers, {enabled} enabled
          {shown.length !== handlers.length ? `, ${shown.length} shown` : ""}
        </span>
        {handlersSource === "rest" && <span className="pill">from REST (socket not live)</span>}
        {loadError !== null && handlersSource === "none" && (
          <span className="error-text" role="alert" data-testid="handlers-load-error">
            Could not load handlers: {loadError}
          </span>
        )}
      </div>
      {handlersSource === "none" && loadError === null ? (
        <p className="muted pad">Loading handlers…</p>
      ) : (
        <HandlersTable handlers={shown} onChanged={onChanged} readOnly={!canControl} />
      )}
    </div>
  );
}
