"use client";

import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { messageOf } from "@/components/api";
import { nodeParam } from "@/components/fleet/nodeChoice";
import { useNodeChoice } from "@/components/fleet/useNodeChoice";
import { formatIso, formatTime } from "@/components/format";
import type { LiveState } from "@/components/live/state/store";
import { useLiveValue } from "@/components/live/useLiveStream";
import type { AuditEntryDto } from "@/server/contract/control";
import { fetchAudit } from "./auditApi";
import { auditExportHref, auditKey, compactJson, mergeAudit, prettyJson } from "./auditFormat";

const selectAudit = (s: LiveState) => s.audit.entries;
const selectConnection = (s: LiveState) => s.connection.status;

/**
 * The audit trail: who did what when, newest first; new entries arrive live, older ones by
 * page. With the node picker on another node or all, the trail is the fleet's shared one
 * from the store (no live events: those are this node's), with a Node column.
 */
export function AuditView() {
  const live = useLiveValue(selectAudit);
  const connection = useLiveValue(selectConnection);
  const { choice } = useNodeChoice();
  const node = nodeParam(choice);
  const fromStore = node !== null;
  const [loaded, setLoaded] = useState<AuditEntryDto[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [state, setState] = useState<"loading" | "idle" | "more">("loading");
  const [error, setError] = useState<string | null>(null);

  const loadFirst = useCallback(
    async (signal?: AbortSignal) => {
      setState("loading");
      try {
        const page = await fetchAudit(node, null, signal);
        setLoaded(page.entries);
        setNextCursor(page.nextCursor);
        setError(null);
      } catch (e) {
        if (!signal?.aborted) setError(messageOf(e));
      } finally {
        if (!signal?.aborted) setState("idle");
      }
    },
    [node],
  );

  useEffect(() => {
    const ctrl = new AbortController();
    // Another trail (the node picker moved): none of the last one's rows or its cursor.
    setLoaded([]);
    setNextCursor(null);
    void loadFirst(ctrl.signal);
    return () => ctrl.abort();
  }, [loadFirst]);

  // Back from a disconnect: entries written meanwhile came by no event; read the newest page again.
  const wasLive = useRef(false);
  const lostLive = useRef(false);
  useEffect(() => {
    if (connection === "live") {
      if (lostLive.current) void loadFirst();
      lostLive.current = false;
    } else if (wasLive.current) {
      lostLive.current = true;
    }
    wasLive.current = connection === "live";
  }, [connection, loadFirst]);

  const loadOlder = async () => {
    if (nextCursor === null) return;
    setState("more");
    try {
      const page = await fetchAudit(node, nextCursor);
      // Keyset pages of the store never overlap; its ids repeat across nodes, so no merge by id.
      setLoaded((l) => (fromStore ? [...l, ...page.entries] : mergeAudit(l, page.entries)));
      setNextCursor(page.nextCursor);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setState("idle");
    }
  };

  const entries = useMemo(() => (fromStore ? loaded : mergeAudit(live, loaded)), [fromStore, live, loaded]);

  return (
    <div className="page audit">
      <div className="toolbar">
        <h1 className="page-title">Audit trail</h1>
        <span className="muted" data-testid="audit-count">
          {entries.length} entries shown{nextCursor !== null ? " (older ones on request)" : ""}
        </span>
        {fromStore && (
          <span className="muted" data-testid="audit-source" data-node={node}>
            {node === "all" ? "Every node's trail" : `Node ${node}'s trail`}, from the fleet&apos;s shared
            store (each node&apos;s newest entries arrive with its shipping lag)
          </span>
        )}
        {error !== null && (
          <span className="error-text" role="alert" data-testid="audit-error">
            {error}
          </span>
        )}
        <span className="spacer" />
        <span className="exports">
          Export:
          <a className="btn" href={auditExportHref("csv", node)} download data-testid="audit-export-csv">
            CSV
          </a>
          <a
            className="btn"
            href={auditExportHref("ndjson", node)}
            download
            data-testid="audit-export-ndjson"
          >
            NDJSON
          </a>
        </span>
      </div>
      <div className="page-scroll">
        {state === "loading" && entries.length === 0 ? (
          <p className="muted pad">Loading the audit trail…</p>
        ) : entries.length === 0 ? (
          <p className="muted pad" data-testid="audit-empty">
            Nothing recorded yet.
          </p>
        ) : (
          <table className="htable atable" data-testid="audit-table">
            <thead>
              <tr>
                {fromStore && <th scope="col">Node</th>}
                <th scope="col">Time</th>
                <th scope="col">Actor</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">Detail</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr
                  key={auditKey(e)}
                  data-testid="audit-row"
                  data-id={e.id}
                  data-node={e.node}
                  data-action={e.action}
                >
                  {fromStore && <td>{e.node}</td>}
                  <td className="mono" title={formatIso(e.at)}>
                    {new Date(e.at).toLocaleDateString()} {formatTime(e.at)}
                  </td>
                  <td>{e.actor}</td>
                  <td>
                    <span className="chip">{e.action}</span>
                  </td>
                  <td className="mono">{e.target ?? ""}</td>
                  <td className="mono audit-detail" title={prettyJson(e.detail)}>
                    {compactJson(e.detail)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <div className="pad">
          {nextCursor !== null ? (
            <button
              type="button"
              className="btn"
              onClick={loadOlder}
              disabled={state !== "idle"}
              data-testid="audit-older"
            >
              {state === "more" ? "Loading…" : "Older entries"}
            </button>
          ) : (
            entries.length > 0 &&
            state === "idle" && <span className="muted">That is the beginning of the trail.</span>
          )}
        </div>
      </div>
    </div>
  );
}
