"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { messageOf } from "@/components/api";
import { controlTarget } from "@/components/fleet/nodeChoice";
import { RemoteNote } from "@/components/fleet/RemoteNote";
import { useNodeChoice } from "@/components/fleet/useNodeChoice";
import { useRemoteList } from "@/components/fleet/useRemoteList";
import type { LiveState, LiveStore } from "@/components/live/state/store";
import { useCanControl, useLiveValue } from "@/components/live/useLiveStream";
import { useRestFallback } from "@/components/live/useRestFallback";
import { useNow } from "@/components/useNow";
import { HeldCard } from "./HeldCard";
import { fetchHeld, passAllHeld } from "./heldApi";
import { lingeringNotes, RESOLVED_LINGER_MS } from "./heldFormat";

const selectHeld = (s: LiveState) => s.held.list;
const selectHeldSource = (s: LiveState) => s.held.source;
const selectNotes = (s: LiveState) => s.held.resolutions;
const selectRules = (s: LiveState) => s.rules.list;
const selectOffset = (s: LiveState) => s.held.clockOffsetMs;
const NO_NOTES: LiveState["held"]["resolutions"] = [];

const loadHeld = async (store: LiveStore, signal?: AbortSignal) =>
  store.setHeldFromRest(await fetchHeld(signal));
const loadHeldOf = (node: string, signal: AbortSignal) => fetchHeld(signal, node);

/**
 * The held-request queue: one card per request, oldest first, each with its countdown; with
 * one other node chosen, that node's queue (GET /api/held?node=, polled), acted on there.
 */
export function HeldView() {
  const localHeld = useLiveValue(selectHeld);
  const source = useLiveValue(selectHeldSource);
  const localNotes = useLiveValue(selectNotes);
  const rules = useLiveValue(selectRules);
  const clockOffsetMs = useLiveValue(selectOffset);
  const canControl = useCanControl();
  // While the socket is not live the REST API is the source (polled: no events arrive).
  const { loadError, reloadUnlessLive } = useRestFallback(loadHeld, 2000);
  const { self, choice } = useNodeChoice();
  const target = controlTarget(choice);
  const remote = useRemoteList(target, loadHeldOf, 1000);
  const [remoteNote, setRemoteNote] = useState<string | null>(null);
  const held = target === undefined ? localHeld : (remote.data ?? []);
  // Resolution notes come with this node's live events only.
  const notes = target === undefined ? localNotes : NO_NOTES;
  const shownError = target === undefined ? loadError : remote.error;
  const onRemoteSettled = (id: number, conflict?: { message: string | null }) => {
    remote.replace((list) => list.filter((h) => h.id !== id));
    remote.reload();
    setRemoteNote(conflict?.message ? `Held request ${id}: ${conflict.message}` : null);
  };
  const [passAll, setPassAll] = useState<{ busy: boolean; text: string | null; error: boolean }>({
    busy: false,
    text: null,
    error: false,
  });

  // Ticks only while a resolved card may still be on screen (each card's countdown ticks itself).
  const recent = notes.length > 0 && Date.now() - notes[notes.length - 1]!.at < RESOLVED_LINGER_MS;
  const now = useNow(250, recent);
  const lingering = useMemo(() => lingeringNotes(notes, held, now), [notes, held, now]);
  // Rule ids are per node: this node's rules name only this node's holds.
  const ruleById = useMemo(
    () => new Map(target === undefined ? rules.map((r) => [r.id, r]) : []),
    [rules, target],
  );

  const onPassAll = async () => {
    setPassAll({ busy: true, text: null, error: false });
    try {
      const passed = await passAllHeld(target);
      setPassAll({ busy: false, text: `Passed ${passed} to their handlers.`, error: false });
      if (target === undefined) reloadUnlessLive();
      else remote.reload();
    } catch (e) {
      setPassAll({ busy: false, text: messageOf(e), error: true });
    }
  };

  // Cards of requests that just left the queue stay where they were for a moment.
  const cards = [
    ...held.map((h) => ({ held: h, note: undefined })),
    ...lingering.map((n) => ({ held: n.held, note: n })),
  ].sort((a, b) => a.held.heldAt - b.held.heldAt || a.held.id - b.held.id);

  return (
    <div className="page held">
      <div className="toolbar">
        <h1 className="page-title">Held requests</h1>
        <span className="muted" data-testid="held-total" data-count={held.length}>
          {held.length === 0 ? "none waiting" : `${held.length} waiting`}
        </span>
        {target === undefined && source === "rest" && (
          <span className="pill">from REST (socket not live)</span>
        )}
        {shownError !== null && (
          <span className="error-text" role="alert" data-testid="held-load-error">
            Could not load {target === undefined ? "held requests" : `node ${target}'s held requests`}:{" "}
            {shownError}
          </span>
        )}
        <span className="spacer" />
        {passAll.text !== null && (
          <output className={passAll.error ? "error-text" : "muted"} data-testid="held-pass-all-result">
            {passAll.text}
          </output>
        )}
        {canControl && (
          <button
            type="button"
            className="btn"
            onClick={onPassAll}
            disabled={passAll.busy || held.length === 0}
            data-testid="held-pass-all"
            title="Let every held request go on to its handler"
          >
            {passAll.busy ? "Passing…" : "Pass all"}
          </button>
        )}
      </div>
      {target !== undefined && (
        <RemoteNote target={target} self={self} what="held requests">
          {remoteNote !== null && ` ${remoteNote}`}
        </RemoteNote>
      )}
      {choice.kind === "all" && <RemoteNote target={null} self={self} what="held requests" />}
      <div className="page-scroll">
        {cards.length === 0 ? (
          <p className="muted pad" data-testid="held-empty">
            Nothing is held. A <Link href="/rules">rule</Link> with the action “hold” stops matching requests
            here, for you to answer, pass or drop before their deadline.
          </p>
        ) : (
          <div className="held-list">
            {cards.map(({ held: h, note }) => (
              <HeldCard
                key={h.id}
                held={h}
                rule={ruleById.get(h.ruleId)}
                clockOffsetMs={clockOffsetMs}
                canControl={canControl}
                resolved={note}
                target={target}
                onSettled={target === undefined ? undefined : onRemoteSettled}
              />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
