/**
 * The dashboard clients of the "clients" bench section (bench/clients.bench.ts), in a
 * process of their own so their decoding and acknowledging costs the server's event loop
 * nothing: N socket.io connections to /live, each acknowledging every batch as a browser
 * does, some with a live filter. Driven over IPC by the parent: start → ready, reset
 * (start counting), report → counts, stop (closes and exits). Exits by itself when the
 * parent goes away, so a failed bench never leaves it running.
 */
import { io, type Socket } from "socket.io-client";
import {
  type ClientToServerEvents,
  LIVE_NAMESPACE,
  type LiveEvent,
  type ServerToClientEvents,
  type SetFilterResult,
} from "../server/contract/events";

export type ParentMessage =
  | { type: "start"; url: string; cookie: string; filters: (string | null)[] }
  | { type: "reset" }
  | { type: "report" }
  | { type: "stop" };

export interface ClientCounts {
  /** Exchange events received by all clients since the last reset. */
  exchanges: number;
  /** Sum of the `skipped` markers' counts: exchanges the server told a client it did not send. */
  skipped: number;
  batches: number;
  /** Since the last reset. */
  seconds: number;
  /** This process's CPU time since the last reset, ms. */
  cpuMs: number;
  /** Clients still connected. */
  connected: number;
}

export type ChildMessage =
  | { type: "ready"; snapshotExchanges: number }
  | { type: "report"; counts: ClientCounts }
  | { type: "error"; message: string };

type LiveClient = Socket<ServerToClientEvents, ClientToServerEvents>;

const sockets: LiveClient[] = [];
let exchanges = 0;
let skipped = 0;
let batches = 0;
let since = performance.now();
let cpuSince = process.cpuUsage();

function send(m: ChildMessage): void {
  process.send?.(m);
}

function count(events: LiveEvent[]): void {
  batches++;
  for (const e of events) {
    if (e.type === "exchange") exchanges++;
    else if (e.type === "skipped") skipped += e.count;
  }
}

async function connect(url: string, cookie: string, filter: string | null): Promise<number> {
  const socket: LiveClient = io(`${url}${LIVE_NAMESPACE}`, {
    transports: ["websocket"],
    reconnection: false,
    extraHeaders: { cookie },
  });
  sockets.push(socket);
  socket.on("live", (events, ack) => {
    count(events);
    ack();
  });
  const snapshot = await new Promise<number>((resolve, reject) => {
    socket.once("snapshot", (s) => resolve(s.exchanges.length));
    socket.once("connect_error", (err) => reject(err));
  });
  if (filter !== null) {
    const result = await new Promise<SetFilterResult>((resolve) => socket.emit("setFilter", filter, resolve));
    if (!result.ok) throw new Error(`filter ${JSON.stringify(filter)} refused: ${result.error}`);
  }
  return snapshot;
}

async function start(m: Extract<ParentMessage, { type: "start" }>): Promise<void> {
  // A few at a time: 100 handshakes at once would measure the handshake burst, not the stream.
  let snapshotExchanges = 0;
  for (let i = 0; i < m.filters.length; i += 10) {
    const got = await Promise.all(m.filters.slice(i, i + 10).map((f) => connect(m.url, m.cookie, f)));
    for (const n of got) snapshotExchanges += n;
  }
  send({ type: "ready", snapshotExchanges });
}

function stop(): void {
  for (const s of sockets) s.close();
  process.exit(0);
}

process.on("message", (m: ParentMessage) => {
  switch (m.type) {
    case "start":
      start(m).catch((err: unknown) => send({ type: "error", message: String(err) }));
      break;
    case "reset":
      exchanges = 0;
      skipped = 0;
      batches = 0;
      since = performance.now();
      cpuSince = process.cpuUsage();
      break;
    case "report": {
      const cpu = process.cpuUsage(cpuSince);
      send({
        type: "report",
        counts: {
          exchanges,
          skipped,
          batches,
          seconds: (performance.now() - since) / 1000,
          cpuMs: (cpu.user + cpu.system) / 1000,
          connected: sockets.filter((s) => s.connected).length,
        },
      });
      break;
    }
    case "stop":
      stop();
      break;
  }
});
process.on("disconnect", stop);
