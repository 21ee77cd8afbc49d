"use client";

import { FitAddon } from "@xterm/addon-fit";
import { Terminal } from "@xterm/xterm";
import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";
import { io, type Socket } from "socket.io-client";
import {
  CONSOLE_NAMESPACE,
  type ConsoleClientToServer,
  type ConsoleServerToClient,
  type ConsoleStateDto,
} from "@/server/contract/console";
import { ConsoleHistory } from "./ConsoleHistory";

type ConsoleSocket = Socket<ConsoleServerToClient, ConsoleClientToServer>;

/**
 * The host's serial console in a terminal (xterm.js): the scrollback, then what the host
 * prints, live. Everyone signed in watches; an operator takes the keyboard to type (the
 * server refuses anyone else's keystrokes and records each claim).
 */
export function ConsoleView() {
  const box = useRef<HTMLDivElement>(null);
  const socketRef = useRef<ConsoleSocket | null>(null);
  const [state, setState] = useState<ConsoleStateDto | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [skipped, setSkipped] = useState(0);
  const [connected, setConnected] = useState(false);
  const [bytes, setBytes] = useState(0);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const term = new Terminal({ convertEol: false, scrollback: 5000, fontSize: 13, cursorBlink: true });
    const fit = new FitAddon();
    term.loadAddon(fit);
    term.open(el);
    fit.fit();
    const resize = new ResizeObserver(() => fit.fit());
    resize.observe(el);

    const socket: ConsoleSocket = io(CONSOLE_NAMESPACE, { withCredentials: true, transports: ["websocket"] });
    socketRef.current = socket;
    socket.on("connect", () => setConnected(true));
    socket.on("disconnect", () => setConnected(false));
    socket.on("connect_error", (err) => setError(`not connected: ${err.message}`));
    socket.on("state", (s) => setState(s));
    socket.on("skipped", (n) => setSkipped((k) => k + n));
    socket.on("output", (data, ack) => {
      const chunk = data instanceof Uint8Array ? data : new Uint8Array(data as ArrayBuffer);
      setBytes((n) => n + chunk.length);
      // Acknowledge once xterm has taken it: a tab that cannot keep up is sent less, not more.
      term.write(chunk, () => ack());
    });
    const typing = term.onData((text) => {
      socket.emit("input", text, (r) => {
        if (!r.ok) setError(r.error);
      });
    });
    return () => {
      typing.dispose();
      resize.disconnect();
      socket.close();
      socketRef.current = null;
      term.dispose();
    };
  }, []);

  const mine = state?.writer?.you === true;
  const claim = (takeOver: boolean) => {
    setError(null);
    socketRef.current?.emit("claim", { takeOver }, (r) => {
      if (!r.ok) setError(r.error);
    });
  };
  const release = () => socketRef.current?.emit("release");
  const others = state?.readers.filter((r) => !r.you) ?? [];

  return (
    <div className="page console-page">
      <div className="toolbar">
        <h1 className="page-title">Console</h1>
        <span
          className={state?.host === "up" ? "pill" : "pill pill-warn"}
          data-testid="console-host"
          data-state={state?.host ?? "unknown"}
        >
          host {state?.host ?? "…"}
        </span>
        <span className="muted" data-testid="console-description">
          {state?.description}
        </span>
        <span className="muted" data-testid="console-attached" data-count={others.length}>
          {connected ? `${others.length} other${others.length === 1 ? "" : "s"} attached` : "not connected"}
          {others.length > 0 ? `: ${others.map((o) => `${o.label} (${o.kind})`).join(", ")}` : ""}
        </span>
        <span className="muted" data-testid="console-writer" data-mine={mine}>
          {state?.writer
            ? `keyboard: ${state.writer.you ? "you" : `${state.writer.label} (${state.writer.kind})`}`
            : "keyboard: free"}
        </span>
        {state?.canType &&
          (mine ? (
            <button type="button" className="btn" onClick={release} data-testid="console-release">
              Release keyboard
            </button>
          ) : (
            <button
              type="button"
              className="btn"
              onClick={() => claim(state.writer !== null)}
              data-testid="console-claim"
            >
              {state.writer ? "Take over keyboard" : "Take keyboard"}
            </button>
          ))}
        {skipped > 0 && (
          <span className="pill pill-warn" data-testid="console-skipped">
            {skipped} bytes skipped (this tab fell behind)
          </span>
        )}
        {error && (
          <span className="error-text" role="alert" data-testid="console-error">
            {error}
          </span>
        )}
      </div>
      <div className="console-terminal" ref={box} data-testid="console-terminal" data-bytes={bytes} />
      <ConsoleHistory />
    </div>
  );
}
