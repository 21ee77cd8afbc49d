/**
 * Opens the one socket.io connection of this tab and wires it into a LiveStore.
 * Returns a function that closes it.
 *
 * The connection needs the session cookie. When the server refuses it
 * (connect_error "unauthorized") or ends it (disconnect "io server disconnect", on
 * sign-out or session expiry), the tab asks GET /api/auth/session what happened:
 * signed out, it shows "signed out" and goes to the sign-in page; still signed in, it
 * connects again.
 */
import { io, type Socket } from "socket.io-client";
import { fetchSession } from "@/components/auth/authApi";
import { goToLogin } from "@/components/auth/navigation";
import { publishRates } from "@/components/rates/ratesFeed";
import type {
  ClientToServerEvents,
  ConsoleLaneResult,
  LiveEvent,
  ServerToClientEvents,
  SetFilterResult,
} from "@/server/contract/events";
import { LIVE_NAMESPACE } from "@/server/contract/events";
import type { SetNodesOptions, SetNodesResult } from "@/server/contract/fleet";
import type { LiveStore } from "./state/store";

export type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** How long "signed out" stays on screen before the tab goes to /login. */
export const SIGNED_OUT_LINGER_MS = 1000;
const RETRY_MS = 2000;
const REFUSED_RETRY_MS = 5000;

export function connectLive(store: LiveStore): () => void {
  let closed = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;

  const socket: LiveSocket = io(LIVE_NAMESPACE, {
    // Evaluated on every (re)connection attempt, so a reconnect resumes after the last exchange seen.
    auth: (cb) => cb({ ...store.handshake() }),
    reconnectionDelay: 500,
    reconnectionDelayMax: 5000,
    withCredentials: true,
  });

  const retry = (ms: number) => {
    clearTimeout(retryTimer);
    retryTimer = setTimeout(() => {
      const stopped = closed || store.getState().connection.status === "signed-out";
      if (!stopped && !socket.connected) socket.connect();
    }, ms);
  };

  const signedOut = (why: string) => {
    store.signOut(why);
    socket.disconnect();
    goToLogin({ signedOut: true, delayMs: SIGNED_OUT_LINGER_MS });
  };

  /** The server refused or dropped us: find out whether the session is gone. */
  const checkSession = async (refused: boolean) => {
    try {
      const session = await fetchSession();
      if (closed) return;
      if (session.operator === null) {
        signedOut(refused ? "unauthorized" : "the session ended");
        return;
      }
      store.setOperator(session.operator);
      // Still signed in: the refusal had another cause (Origin, a restart). Try again.
      store.setConnection("disconnected", refused ? "refused: unauthorized" : "server disconnect");
      retry(refused ? REFUSED_RETRY_MS : RETRY_MS);
    } catch (e) {
      if (closed) return;
      store.setConnection("disconnected", e instanceof Error ? e.message : String(e));
      retry(RETRY_MS);
    }
  };

  store.setConnection("connecting");

  // Connected, but not live until the snapshot has been applied.
  const sendFilter = (text: string) =>
    new Promise<SetFilterResult>((resolve) => {
      if (!socket.connected) {
        resolve({ ok: true }); // sent on connect
        return;
      }
      socket
        .timeout(5000)
        .emit("setFilter", text, (err: Error | null, result: SetFilterResult) =>
          resolve(err ? { ok: false, error: "the server did not answer", position: 0 } : result),
        );
    });
  store.attachFilterSender(sendFilter);
  const sendConsoleLane = (on: boolean) =>
    new Promise<ConsoleLaneResult>((resolve) => {
      if (!socket.connected) {
        resolve({ ok: true }); // sent on connect
        return;
      }
      socket
        .timeout(5000)
        .emit("setConsoleLane", { on }, (err: Error | null, result: ConsoleLaneResult) =>
          resolve(err ? { ok: false, error: "the server did not answer" } : result),
        );
    });
  store.attachConsoleLaneSender(sendConsoleLane);
  const sendNodes = (options: SetNodesOptions) =>
    new Promise<SetNodesResult>((resolve) => {
      if (!socket.connected) {
        resolve({ ok: true }); // sent on connect
        return;
      }
      socket
        .timeout(5000)
        .emit("setNodes", options, (err: Error | null, result: SetNodesResult) =>
          resolve(err ? { ok: false, error: "the server did not answer" } : result),
        );
    });
  store.attachNodesSender(sendNodes);
  socket.on("connect", () => {
    store.setConnection("connecting");
    // A new connection starts unfiltered on the server: send the page's filter again.
    if (store.serverFilter !== "") void sendFilter(store.serverFilter);
    // Before the snapshot, so no chunk stored after it is missed (the page backfills once live).
    if (store.consoleLaneOn) void sendConsoleLane(true);
    // A new connection watches its own node only: ask again for the chosen ones.
    const nodes = store.watchedNodes;
    if (nodes !== null) void sendNodes(nodes);
  });
  socket.on("snapshot", (snapshot) => store.applySnapshot(snapshot));
  socket.on("rates", (rates) => publishRates(rates));
  socket.on("live", (events: LiveEvent[], ack: () => void) => {
    try {
      store.applyEvents(events);
    } finally {
      // The server's backpressure signal: acknowledge every batch once it is applied.
      ack();
    }
  });
  socket.on("disconnect", (reason) => {
    if (closed || reason === "io client disconnect") return;
    if (reason === "io server disconnect") {
      // The server ended it (sign-out, expiry): it will not reconnect by itself.
      store.setConnection("signed-out", "the server ended the session");
      void checkSession(false);
      return;
    }
    store.setConnection("disconnected", reason);
  });
  socket.on("connect_error", (err) => {
    if (closed) return;
    if (err.message === "unauthorized") {
      store.setConnection("signed-out", "unauthorized");
      void checkSession(true);
      return;
    }
    store.setConnection("disconnected", err.message);
    // A refusal by the server's middleware is not retried by socket.io itself.
    if (!socket.active) retry(RETRY_MS);
  });

  // Signing out in this tab (the nav's button) closes the stream at once.
  const unsubscribe = store.subscribe(() => {
    if (store.getState().connection.status === "signed-out" && socket.connected) socket.disconnect();
  });

  // Who we are, for the nav, before the snapshot says so (and if the socket cannot connect).
  fetchSession()
    .then((session) => {
      if (closed) return;
      if (session.operator === null) signedOut("not signed in");
      else store.setOperator(session.operator);
    })
    .catch(() => {
      // The socket's own errors tell the story.
    });

  return () => {
    store.attachFilterSender(undefined);
    store.attachConsoleLaneSender(undefined);
    store.attachNodesSender(undefined);
    closed = true;
    clearTimeout(retryTimer);
    unsubscribe();
    socket.removeAllListeners();
    socket.disconnect();
  };
}
