"use client";

import Link from "next/link";
import { useMemo, useState } from "react";
import { messageOf } from "@/components/api";
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

const loadHeld = async (store: LiveStore, signal?: AbortSignal) =>
  store.setHeldFromRest(await fetchHeld(signal));

/** The held-request queue: one card per request, oldest first, each with its countdown. */
export function HeldView() {
  const held = useLiveValue(selectHeld);
  const source = useLiveValue(selectHeldSource);
  const notes = useLiveValue(selectNotes);
  const rules = useLiveValue(selectRules);
  const clockOffsetMs = useLiveValue(selectOffset);
  const canControl = useCanControl();
  // While the socket is not live the REST API is the source (polled: no events arrive).
  const { loadError, reloadUnlessLive } = useRestFallback(loadHeld, 2000);
  const [passAll, setPassAll] = useState<{ busy: boolean; text: string | null; error: boolean }>({
    busy: false,
    text: null,
    error: false,
  });

  // Ticks only while a resolved card may still be on screen (each card's countdown ticks itself).
  const recent = notes.length > 0 && Date.now() - notes[notes.length - 1]!.at < RESOLVED_LINGER_MS;
  const now = useNow(250, recent);
  const lingering = useMemo(() => lingeringNotes(notes, held, now), [notes, held, now]);
  const ruleById = useMemo(() => new Map(rules.map((r) => [r.id, r])), [rules]);

  const onPassAll = async () => {
    setPassAll({ busy: true, text: null, error: false });
    try {
      const passed = await passAllHeld();
      setPassAll({ busy: false, text: `Passed ${passed} to their handlers.`, error: false });
      reloadUnlessLive();
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
        {source === "rest" && <span className="pill">from REST (socket not live)</span>}
        {loadError !== null && (
          <span className="error-text" role="alert" data-testid="held-load-error">
            Could not load held requests: {loadError}
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
              />
            ))}
          </div>
        )}
      </div>
    </div>
  );
}
