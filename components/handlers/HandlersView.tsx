"use client";

import { useMemo, useState } from "react";
import { controlTarget } from "@/components/fleet/nodeChoice";
import { RemoteNote } from "@/components/fleet/RemoteNote";
import { useNodeChoice } from "@/components/fleet/useNodeChoice";
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

function matches(h: HandlerInfo, q: string): boolean {
  if (q === "") return true;
  return [h.key, h.id, h.netFnName, h.cmdName, h.description ?? ""].some((s) => s.toLowerCase().includes(q));
}

/** The Handlers page: the live handler list (or GET /api/handlers until the socket has one). */
export function HandlersView() {
  const store = useLiveStore();
  const handlers = useLiveValue(selectHandlers);
  const handlersSource = useLiveValue(selectHandlersSource);
  const canControl = useCanControl();
  const [query, setQuery] = useState("");
  const { self, choice } = useNodeChoice();
  const target = controlTarget(choice);
  // What the chosen node answered our switches with (by node and handler id): the list
  // itself is this node's, so a switch shows the other node's state once it has acted there.
  const [remote, setRemote] = useState<ReadonlyMap<string, HandlerInfo>>(() => new Map());
  // While the socket is not live the REST API is the source: on load and when the socket drops.
  const { loadError, reloadUnlessLive } = useRestFallback(loadHandlers);

  const onChanged = (handler: HandlerInfo) => {
    if (target !== undefined) {
      setRemote((m) => new Map(m).set(`${target}\u0000${handler.id}`, handler));
      return;
    }
    store.upsertHandler(handler);
    // Offline, no handler events arrive; a toggle can change which handler is active for a key.
    reloadUnlessLive();
  };

  const rates = useRates(2000);
  const latency = useMemo(() => new Map((rates?.handlers ?? []).map((h) => [h.id, h])), [rates]);
  const q = query.trim().toLowerCase();
  const shown = useMemo(() => {
    const list = handlers.filter((h) => matches(h, q));
    return target === undefined ? list : list.map((h) => remote.get(`${target}\u0000${h.id}`) ?? h);
  }, [handlers, q, target, remote]);
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
      {target !== undefined && (
        <RemoteNote target={target} self={self} what="handlers">
          {" "}
          A switch shows node {target}&apos;s state once it has acted there.
        </RemoteNote>
      )}
      {handlersSource === "none" && loadError === null ? (
        <p className="muted pad">Loading handlers…</p>
      ) : (
        <HandlersTable
          handlers={shown}
          onChanged={onChanged}
          readOnly={!canControl}
          latency={latency}
          target={target}
        />
      )}
    </div>
  );
}
