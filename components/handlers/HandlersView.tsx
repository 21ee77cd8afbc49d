"use client";

import { useMemo, useState } from "react";
import { controlTarget } from "@/components/fleet/nodeChoice";
import { RemoteNote } from "@/components/fleet/RemoteNote";
import { useNodeChoice } from "@/components/fleet/useNodeChoice";
import { useRemoteList } from "@/components/fleet/useRemoteList";
import type { LiveState, LiveStore } from "@/components/live/state/store";
import { useCanControl, useLiveStore, useLiveValue } from "@/components/live/useLiveStream";
import { useRestFallback } from "@/components/live/useRestFallback";
import { useRates } from "@/components/rates/useRates";
import type { HandlerInfo } from "@/server/contract/handlers";
import { HandlersTable } from "./HandlersTable";
import { fetchHandlers } from "./handlersApi";

const selectHandlers = (s: LiveState) => s.handlers.list;
const selectHandlersSource = (s: LiveState) => s.handlers.source;

const loadHandlers = async (store: LiveStore, signal?: AbortSignal) =>
  store.setHandlersFromRest(await fetchHandlers(signal));
const loadHandlersOf = (node: string, signal: AbortSignal) => fetchHandlers(signal, node);

function matches(h: HandlerInfo, q: string): boolean {
  if (q === "") return true;
  return [h.key, h.id, h.netFnName, h.cmdName, h.description ?? ""].some((s) => s.toLowerCase().includes(q));
}

/**
 * The Handlers page: the live handler list (or GET /api/handlers until the socket has one),
 * or, with one other node chosen, that node's (GET /api/handlers?node=, polled).
 */
export function HandlersView() {
  const store = useLiveStore();
  const localHandlers = useLiveValue(selectHandlers);
  const handlersSource = useLiveValue(selectHandlersSource);
  const canControl = useCanControl();
  const [query, setQuery] = useState("");
  const { self, choice } = useNodeChoice();
  const target = controlTarget(choice);
  const remote = useRemoteList(target, loadHandlersOf, 3000);
  // While the socket is not live the REST API is the source: on load and when the socket drops.
  const { loadError, reloadUnlessLive } = useRestFallback(loadHandlers);
  const handlers = target === undefined ? localHandlers : (remote.data ?? []);
  const loading =
    target === undefined
      ? handlersSource === "none" && loadError === null
      : remote.data === null && remote.error === null;
  const error = target === undefined ? (handlersSource === "none" ? loadError : null) : remote.error;

  const onChanged = (handler: HandlerInfo) => {
    if (target !== undefined) {
      remote.replace((list) => list.map((h) => (h.id === handler.id ? handler : h)));
      // A switch can change which handler is active for a key there.
      remote.reload();
      return;
    }
    store.upsertHandler(handler);
    // Offline, no handler events arrive; a toggle can change which handler is active for a key.
    reloadUnlessLive();
  };

  const rates = useRates(2000);
  const latency = useMemo(() => new Map((rates?.handlers ?? []).map((h) => [h.id, h])), [rates]);
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
        {target === undefined && handlersSource === "rest" && (
          <span className="pill">from REST (socket not live)</span>
        )}
        {error !== null && (
          <span className="error-text" role="alert" data-testid="handlers-load-error">
            Could not load {target === undefined ? "handlers" : `node ${target}'s handlers`}: {error}
          </span>
        )}
      </div>
      {target !== undefined && (
        <RemoteNote target={target} self={self} what="handlers">
          {" "}
          Latency is measured on each node and shown for this node only.
        </RemoteNote>
      )}
      {choice.kind === "all" && <RemoteNote target={null} self={self} what="handlers" />}
      {loading ? (
        <p className="muted pad">Loading handlers…</p>
      ) : (
        <HandlersTable
          handlers={shown}
          onChanged={onChanged}
          readOnly={!canControl}
          latency={target === undefined ? latency : undefined}
          target={target}
        />
      )}
    </div>
  );
}
