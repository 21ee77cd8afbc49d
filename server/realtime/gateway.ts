/**
 * The live stream: socket.io namespace /live on the same HTTP server as Next.js.
 * On connect a client gets a snapshot (recent exchanges, handlers, buses) and then
 * batched live events; the router never waits for a browser.
 */
import type { Server, Socket } from "socket.io";
import { z } from "zod";
import type { ClientToServerEvents, LiveEvent, ServerToClientEvents, Snapshot } from "../contract/events";
import { LIVE_NAMESPACE } from "../contract/events";
import { type Exchange, toExchangeDto } from "../contract/exchange";
import type { HandlerInfo } from "../contract/handlers";
import type { Logger } from "../logger";
import type { Router } from "../router/router";
import { ClientChannel } from "./client-channel";
import type { RecentExchanges } from "./recent-exchanges";

export interface GatewayOptions {
  flushIntervalMs?: number;
  maxPending?: number;
  maxBatch?: number;
  snapshotSize?: number;
  ackTimeoutMs?: number;
}

const handshakeSchema = z.object({ resumeFrom: z.number().int().nonnegative().optional() }).passthrough();

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

export class LiveGateway {
  private readonly channels = new Map<string, ClientChannel>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private countsTimer: ReturnType<typeof setInterval> | undefined;
  /** Request/error counts last sent per handler, so only changed ones are re-sent. */
  private readonly sentCounts = new Map<string, string>();
  private readonly unsubscribe: (() => void)[] = [];
  private readonly opts: Required<GatewayOptions>;

  constructor(
    io: Server,
    private readonly router: Router,
    private readonly recent: RecentExchanges,
    private readonly log: Logger,
    private readonly startedAt: number,
    options: GatewayOptions = {},
  ) {
    this.opts = {
      flushIntervalMs: 100,
      maxPending: 2000,
      maxBatch: 500,
      snapshotSize: 500,
      ackTimeoutMs: 10_000,
      ...options,
    };
    const nsp = io.of(LIVE_NAMESPACE);
    nsp.use((socket, next) => {
      const parsed = handshakeSchema.safeParse(socket.handshake.auth ?? {});
      if (!parsed.success) {
        next(new Error(`bad handshake: ${parsed.error.issues.map((i) => i.message).join("; ")}`));
        return;
      }
      socket.data.resumeFrom = parsed.data.resumeFrom;
      next();
    });
    nsp.on("connection", (socket: LiveSocket) => this.connect(socket));
    this.unsubscribe.push(
      router.onExchange((x) => this.onExchange(x)),
      router.registry.onChange((h) => this.onHandler(h)),
    );
    this.timer = setInterval(() => this.flushAll(), this.opts.flushIntervalMs);
    this.countsTimer = setInterval(() => this.sendChangedCounts(), 1000);
  }

  get clients(): number {
    return this.channels.size;
  }

  /** Tells every client the bus list changed. */
  busesChanged(): void {
    const event: LiveEvent = { type: "buses", buses: this.router.busInfo() };
    for (const c of this.channels.values()) c.offerControl(event);
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.countsTimer);
    for (const u of this.unsubscribe) u();
    this.flushAll();
  }

  private connect(socket: LiveSocket): void {
    const resumeFrom: number | undefined = socket.data.resumeFrom;
    let exchanges: Exchange[];
    let skipped = 0;
    if (resumeFrom === undefined) exchanges = this.recent.latest(this.opts.snapshotSize);
    else {
      const since = this.recent.since(resumeFrom);
      exchanges = since.exchanges;
      skipped = since.missed;
    }
    const snapshot: Snapshot = {
      exchanges: exchanges.map(toExchangeDto),
      handlers: this.router.registry.list(),
      buses: this.router.busInfo(),
      skipped,
      serverStartedAt: this.startedAt,
    };
    socket.emit("snapshot", snapshot);
    const channel = new ClientChannel(
      (batch, onAck) =>
        socket.timeout(this.opts.ackTimeoutMs).emit("live", batch, (err: Error | null) => {
          if (err) this.log.debug(`live client ${socket.id} did not acknowledge a batch in time`);
          onAck();
        }),
      { maxPending: this.opts.maxPending, maxBatch: this.opts.maxBatch },
    );
    this.channels.set(socket.id, channel);
    socket.on("disconnect", () => this.channels.delete(socket.id));
  }

  private onExchange(x: Exchange): void {
    this.recent.push(x);
    if (this.channels.size === 0) return;
    const event = { type: "exchange" as const, exchange: toExchangeDto(x) };
    for (const c of this.channels.values()) c.offerExchange(event);
  }

  private onHandler(handler: HandlerInfo): void {
    const event: LiveEvent = { type: "handler", handler };
    for (const c of this.channels.values()) c.offerControl(event);
  }

  /** Handler request/error counts change with every exchange; browsers get them once a second. */
  private sendChangedCounts(): void {
    if (this.channels.size === 0) return;
    for (const h of this.router.registry.list()) {
      const counts = `${h.requests}/${h.errors}`;
      if (this.sentCounts.get(h.id) === counts) continue;
      this.sentCounts.set(h.id, counts);
      this.onHandler(h);
    }
  }

  private flushAll(): void {
    for (const c of this.channels.values()) if (c.hasPending) c.flush();
  }
}
