"use client";

import { useEffect, useRef } from "react";
import { type KeyAction, keyAction } from "./keyboard";

/** Calls `on(action)` for the Live page's keys (keyboard.ts) while the page is shown. */
export function useLiveKeys(on: (action: KeyAction) => void): void {
  const handler = useRef(on);
  handler.current = on;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target instanceof HTMLElement ? e.target : null;
      const action = keyAction({
        key: e.key,
        ctrlKey: e.ctrlKey,
        metaKey: e.metaKey,
        altKey: e.altKey,
        targetTag: target?.tagName ?? "",
        editable: target?.isContentEditable ?? false,
      });
      if (action === null) return;
      e.preventDefault();
      if (action === "close" && target && ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName))
        target.blur();
      handler.current(action);
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}
