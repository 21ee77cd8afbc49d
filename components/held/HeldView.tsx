"use client";

import Link from "next/link";
import { useCallback, useEffect, useMemo, useState } from "react";
import { messageOf } from "@/components/api";
import type { LiveState } from "@/components/live/liveStore";
import { useCanControl, useLiveStore, useLiveValue } from "@/components/live/useLiveStream";
import { useNow } from "@/components/useNow";
import { HeldCard } from "./HeldCard";
import { fetchHeld, passAllHeld } from "./heldApi";
import { lingeringNotes, RESOLVED_LINGER_MS } from "./heldFormat";

const selectHeld = (s: LiveState) => s.held;
const selectHeldSource = (s: LiveState) => s.heldSource;
const selectNotes = (s: LiveState) => s.holdResolutions;
const selectRules = (s: LiveState) => s.rules;
const selectOffset = (s: LiveState) => s.clockOffsetMs;
const selectConnection = (s: LiveState) => s.connection;

/** The held-request queue: one card per request, oldest first, each with its countdown. */
export function HeldView() {
  const store = useLiveStore();
  const held = useLiveValue(selectHeld);
  const source = useLiveValue(selectHeldSource);
  const notes = useLiveValue(selectNotes);
  const rules = useLiveValue(selectRules);
  const clockOffsetMs = useLiveValue(selectOffset);
  const connection = useLiveValue(selectConnection);
  const canControl = useCanControl();
  const [loadError, setLoadError] = useState<string | null>(null);
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

  const load = useCallback(
    async (signal?: AbortSignal) => {
      try {
        store.setHeldFromRest(await fetchHeld(signal));
        setLoadError(null);
      } catch (e) {
        if (!signal?.aborted) setLoadError(messageOf(e));
      }
    },
    [store],
  );

  // While the socket is not live the REST API is the source (polled: no events arrive).
  useEffect(() => {
    if (connection === "live" || connection === "signed-out") return;
    const ctrl = new AbortController();
    void load(ctrl.signal);
    const timer = window.setInterval(() => void load(ctrl.signal), 2000);
    return () => {
      ctrl.abort();
      window.clearInterval(timer);
    };
  }, [connection, load]);

  const onPassAll = async () => {
    setPassAll({ busy: true, text: null, error: false });
    try {
      const passed = await passAllHeld();
      setPassAll({ busy: false, text: `Passed ${passed} to their handlers.`, error: false });
      if (connection !== "live") void load();
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
