/**
 * Opens the one socket.io connection of this tab and wires it into a LiveStore.
 * Returns a function that closes it.
 */
import { io, type Socket } from "socket.io-client";
import type { ClientToServerEvents, LiveEvent, ServerToClientEvents } from "@/server/contract/events";
import { LIVE_NAMESPACE } from "@/server/contract/events";
import type { LiveStore } from "./liveStore";

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export function connectLive(store: LiveStore): () => void {
  const socket: LiveSocket = io(LIVE_NAMESPACE, {
    // Evaluated on every (re)connection attempt, so a reconnect resumes after the last exchange seen.
    auth: (cb) => cb({ ...store.handshake() }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
  });

  store.setConnection("connecting");

  // Connected, but not live until the snapshot has been applied.
  socket.on("connect", () => store.setConnection("connecting"));
  socket.on("snapshot", (snapshot) => store.applySnapshot(snapshot));
  socket.on("live", (events: LiveEvent[], ack: () => void) => {
    try {
      store.applyEvents(events);
    } finally {
      // The server's backpressure signal: acknowledge every batch once it is applied.
      if (typeof ack === "function") ack();
    }
  });
  socket.on("disconnect", (reason) => store.setConnection("disconnected", reason));
  socket.on("connect_error", (err) => store.setConnection("disconnected", err.message));

  return () => {
    socket.removeAllListeners();
    socket.disconnect();
  };
}
