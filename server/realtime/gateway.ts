/**
 * The live stream: socket.io namespace /live on the same HTTP server as Next.js.
 * On connect a client gets a snapshot (recent exchanges, handlers, buses) and then
 * batched live events; the router never waits for a browser.
 */
import type { Namespace, Server, Socket } from "socket.io";
import { z } from "zod";
import { sameOrigin } from "../auth/access-policy";
import type { AuthService } from "../auth/auth-service";
import { readCookie, SESSION_COOKIE } from "../auth/session-cookie";
import type { ConsoleChunkDto } from "../contract/console";
import type { OperatorInfo } from "../contract/control";
import type { ClientToServerEvents, LiveEvent, ServerToClientEvents, Snapshot } from "../contract/events";
import { LIVE_NAMESPACE } from "../contract/events";
import { type Exchange, type ExchangeDto, fromExchangeDto, toExchangeDto } from "../contract/exchange";
import { type SetNodesResult, setNodesOptions } from "../contract/fleet";
import type { BusInfo, HandlerInfo } from "../contract/handlers";
import type { RatesSnapshot } from "../contract/rates";
import type { AuditLog } from "../control/audit-log";
import type { HoldQueue } from "../control/hold-queue";
import type { RuleEngine } from "../control/rule-engine";
import type { FleetServerSideEvents } from "../fleet/fanout-protocol";
import type { Logger } from "../logger";
import type { Router } from "../router/router";
import { ClientChannel } from "./client-channel";
import { ClientFilters } from "./client-filters";
import { CommandLimit, type CommandLimitOptions } from "./command-limit";
import { ConsoleLanes } from "./console-lane";
import type { RecentExchanges } from "./recent-exchanges";

export interface GatewayOptions {
  flushIntervalMs?: number;
  maxPending?: number;
  maxBatch?: number;
  snapshotSize?: number;
  ackTimeoutMs?: number;
  /** Per-connection limit on client→server events (DEFAULT_COMMAND_LIMIT when omitted). */
  commandLimit?: Partial<CommandLimitOptions>;
}

const handshakeSchema = z.object({ resumeFrom: z.number().int().nonnegative().optional() }).passthrough();

interface SocketData {
  resumeFrom: number | undefined;
  operator: OperatorInfo;
  tokenHash: string;
}

type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, FleetServerSideEvents, SocketData>;
export type LiveServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  FleetServerSideEvents,
  SocketData
>;
export type LiveNamespace = Namespace<
  ClientToServerEvents,
  ServerToClientEvents,
  FleetServerSideEvents,
  SocketData
>;

/** Which nodes' traffic a connection gets (`setNodes`); none recorded: its own node's only. */
type NodeView = "all" | ReadonlySet<string>;

export interface LiveGatewayDeps {
  io: LiveServer;
  router: Router;
  recent: RecentExchanges;
  log: Logger;
  startedAt: number;
  control: { auth: AuthService; rules: RuleEngine; holds: HoldQueue; audit: AuditLog };
  /** Rates to push every second (omitted: none pushed). */
  rates?: () => RatesSnapshot;
  /** The host console's stored chunks, for clients with the console lane on (omitted: none sent). */
  consoleChunks?: { onStored(listener: (chunk: ConsoleChunkDto) => void): () => void };
  /** This node's name while the fleet is on: set on every exchange sent; omitted: the node is alone. */
  node?: string;
}

export class LiveGateway {
  private readonly channels = new Map<string, ClientChannel>();
  /** Per-client filters (`setFilter`): only matching exchanges go to that client. */
  private readonly filters = new ClientFilters();
  /** Clients that turned the console lane on (`setConsoleLane`). */
  private readonly consoleLanes = new ConsoleLanes();
  private timer: ReturnType<typeof setInterval> | undefined;
  private countsTimer: ReturnType<typeof setInterval> | undefined;
  /** Request/error counts last sent per handler, so only changed ones are re-sent. */
  private readonly sentCounts = new Map<string, string>();
  /** The bus list (without queue lengths) as last compared, to send it only when it changed. */
  private sentBuses = "";
  private readonly unsubscribe: (() => void)[] = [];
  private readonly opts: Required<GatewayOptions>;

  private readonly router: Router;
  private readonly recent: RecentExchanges;
  private readonly log: Logger;
  private readonly startedAt: number;
  private readonly control: LiveGatewayDeps["control"];
  /** Sockets per session, to close a live stream when its session ends. */
  private readonly sessionSockets = new Map<string, Set<LiveSocket>>();
  private readonly commands: CommandLimit;
  private readonly node: string | undefined;
  /** Per-client node selection (`setNodes`); a client not in it gets its own node's traffic. */
  private readonly nodeViews = new Map<string, NodeView>();
  private readonly localListeners = new Set<(x: ExchangeDto) => void>();

  constructor(deps: LiveGatewayDeps, options: GatewayOptions = {}) {
    const { io, router, control } = deps;
    this.router = router;
    this.recent = deps.recent;
    this.log = deps.log;
    this.startedAt = deps.startedAt;
    this.control = control;
    this.node = deps.node;
    this.opts = {
      flushIntervalMs: 100,
      maxPending: 2000,
      maxBatch: 500,
      snapshotSize: 500,
      ackTimeoutMs: 10_000,
      commandLimit: {},
      ...options,
    };
    this.commands = new CommandLimit(this.opts.commandLimit, (id, event) =>
      this.log.warn(`live client ${id}: commands refused (rate limited), starting with '${event}'`),
    );
    const nsp = io.of(LIVE_NAMESPACE);
    nsp.use((socket, next) => {
      void this.admit(socket).then(
        (refusal) => next(refusal ? new Error(refusal) : undefined),
        () => next(new Error("unauthorized")),
      );
    });
    nsp.on("connection", (socket: LiveSocket) => this.connect(socket));
    this.unsubscribe.push(
      router.onExchange((x) => this.onExchange(x)),
      router.registry.onChange((h) => this.onHandler(h)),
      control.rules.onChange((rules) => this.broadcast({ type: "rules", rules })),
      control.holds.onEvent((e) => this.broadcast(e)),
      control.audit.onEntry((entry) => this.broadcast({ type: "audit", entry })),
      control.auth.onSessionEnded((tokenHash) => this.endSession(tokenHash)),
    );
    if (deps.consoleChunks) this.unsubscribe.push(deps.consoleChunks.onStored((c) => this.onConsoleChunk(c)));
    this.sentBuses = busesKey(router.busInfo());
    this.timer = setInterval(() => this.flushAll(), this.opts.flushIntervalMs);
    this.countsTimer = setInterval(() => {
      this.sendChangedCounts();
      this.sendChangedBuses();
      // Rates go to every connected client each second; volatile: a slow client skips one.
      // local: with the fleet's adapter a broadcast would reach every node's clients too.
      if (deps.rates && this.channels.size > 0)
        io.of(LIVE_NAMESPACE).local.volatile.emit("rates", deps.rates());
    }, 1000);
  }

  get clients(): number {
    return this.channels.size;
  }

  /** Every local exchange in its wire form (node set while the fleet is on): the fan-out sends them on. */
  onLocalExchange(listener: (x: ExchangeDto) => void): () => void {
    this.localListeners.add(listener);
    return () => this.localListeners.delete(listener);
  }

  /**
   * Another node's exchanges (fleet fan-out, `node` set on each): to the connections that
   * asked for that node, through their filter and their channel like local ones.
   */
  offerRemote(node: string, exchanges: readonly ExchangeDto[]): void {
    if (this.nodeViews.size === 0) return;
    const targets: [string, ClientChannel][] = [];
    for (const [id, c] of this.channels) {
      const view = this.nodeViews.get(id);
      if (view === "all" || view?.has(node)) targets.push([id, c]);
    }
    if (targets.length === 0) return;
    for (const dto of exchanges) {
      const event = { type: "exchange" as const, exchange: dto };
      // Decoded only when some connection filters: the filters evaluate records, not hex text.
      let record: Exchange | undefined;
      for (const [id, c] of targets) {
        if (this.filters.textOf(id) !== undefined) {
          record ??= fromExchangeDto(dto);
          if (!this.filters.matches(id, record)) continue;
        }
        c.offerExchange(event);
      }
    }
  }

  /** Tells every client the bus list changed. */
  busesChanged(): void {
    this.broadcast({ type: "buses", buses: this.router.busInfo() });
  }

  close(): void {
    clearInterval(this.timer);
    clearInterval(this.countsTimer);
    for (const u of this.unsubscribe) u();
    this.flushAll();
  }

  /** Checks the handshake: same origin, a live session, a valid resume point. Returns why not, or null. */
  private async admit(socket: LiveSocket): Promise<string | null> {
    const { headers } = socket.handshake;
    if (!sameOrigin(headers.origin, headers.host)) return "unauthorized: cross-origin";
    const operator = await this.control.auth.resolve(readCookie(headers.cookie, SESSION_COOKIE));
    if (!operator) return "unauthorized";
    const parsed = handshakeSchema.safeParse(socket.handshake.auth ?? {});
    if (!parsed.success) return `bad handshake: ${parsed.error.issues.map((i) => i.message).join("; ")}`;
    socket.data.resumeFrom = parsed.data.resumeFrom;
    socket.data.operator = { id: operator.id, username: operator.username, role: operator.role };
    socket.data.tokenHash = operator.tokenHash;
    return null;
  }

  private endSession(tokenHash: string): void {
    for (const socket of this.sessionSockets.get(tokenHash) ?? []) socket.disconnect(true);
    this.sessionSockets.delete(tokenHash);
  }

  private broadcast(event: LiveEvent): void {
    for (const c of this.channels.values()) c.offerControl(event);
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
      exchanges: exchanges.map((x) => this.dto(x)),
      handlers: this.router.registry.list(),
      buses: this.router.busInfo(),
      rules: this.control.rules.list(),
      held: this.control.holds.list(),
      operator: socket.data.operator,
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
      {
        maxPending: this.opts.maxPending,
        maxBatch: this.opts.maxBatch,
        onOverflow: () => {
          // Too far behind to catch up event by event: a reconnect gets a fresh snapshot instead.
          this.log.warn(
            `live client ${socket.id} stopped reading; disconnected (it resumes from a snapshot)`,
          );
          socket.disconnect(true);
        },
      },
    );
    this.channels.set(socket.id, channel);
    // Before any handler: a flood of setFilter (or made-up events) is refused here, per connection.
    this.commands.guard(socket, (event) => (event === "setFilter" ? { position: 0 } : {}));
    const tokenHash: string = socket.data.tokenHash;
    const sockets = this.sessionSockets.get(tokenHash) ?? new Set();
    sockets.add(socket);
    this.sessionSockets.set(tokenHash, sockets);
    socket.on("setFilter", (text, ack) => {
      const result = this.filters.set(socket.id, text);
      if (typeof ack === "function") ack(result);
    });
    socket.on("setNodes", (options, ack) => {
      const result = this.setNodes(socket.id, options);
      if (typeof ack === "function") ack(result);
    });
    socket.on("setConsoleLane", (options, ack) => {
      const result = this.consoleLanes.set(socket.id, options);
      if (typeof ack === "function") ack(result);
    });
    socket.on("disconnect", () => {
      this.channels.delete(socket.id);
      this.filters.delete(socket.id);
      this.nodeViews.delete(socket.id);
      this.consoleLanes.delete(socket.id);
      sockets.delete(socket);
      // A tab reconnecting in a loop must not leave an empty set per session behind.
      if (sockets.size === 0 && this.sessionSockets.get(tokenHash) === sockets)
        this.sessionSockets.delete(tokenHash);
    });
  }

  private setNodes(id: string, options: unknown): SetNodesResult {
    const parsed = setNodesOptions.safeParse(options);
    if (!parsed.success) {
      return { ok: false, error: parsed.error.issues.map((i) => i.message).join("; ") || "invalid" };
    }
    const { nodes } = parsed.data;
    this.nodeViews.set(id, nodes === "all" ? "all" : new Set(nodes));
    return { ok: true };
  }

  /** Whether a connection wants this node's own exchanges (the default, until setNodes says otherwise). */
  private wantsLocal(id: string): boolean {
    const view = this.nodeViews.get(id);
    return view === undefined || view === "all" || this.node === undefined || view.has(this.node);
  }

  private dto(x: Exchange): ExchangeDto {
    const dto = toExchangeDto(x);
    if (this.node !== undefined) dto.node = this.node;
    return dto;
  }

  private onExchange(x: Exchange): void {
    this.recent.push(x);
    if (this.channels.size === 0 && this.localListeners.size === 0) return;
    const dto = this.dto(x);
    for (const l of this.localListeners) l(dto);
    const event = { type: "exchange" as const, exchange: dto };
    for (const [id, c] of this.channels) {
      if (this.wantsLocal(id) && this.filters.matches(id, x)) c.offerExchange(event);
    }
  }

  /**
   * A few chunks a second at most (the writer batches output per 100 ms, input per line),
   * so they go as control events, never dropped: the lane shows what the history holds.
   */
  private onConsoleChunk(chunk: ConsoleChunkDto): void {
    if (this.consoleLanes.size === 0) return;
    const event: LiveEvent = { type: "console", chunk };
    for (const [id, c] of this.channels) if (this.consoleLanes.has(id)) c.offerControl(event);
  }

  private onHandler(handler: HandlerInfo): void {
    this.broadcast({ type: "handler", handler });
  }

  /** Handler request/error counts change with every exchange; browsers get them once a second. */
  /**
   * A bus's state changes without an event (a VM connects, a device fails): the list is
   * compared each second, with or without clients, and sent when it changed, so the live
   * view's bus picker and states stay current (a client that connects in between got the
   * current list in its snapshot). `queued` changes all the time under load and is left
   * out of the comparison.
   */
  private sendChangedBuses(): void {
    const buses = this.router.busInfo();
    const key = busesKey(buses);
    if (key === this.sentBuses) return;
    this.sentBuses = key;
    if (this.channels.size > 0) this.broadcast({ type: "buses", buses });
  }

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

function busesKey(buses: readonly BusInfo[]): string {
  return JSON.stringify(buses.map(({ queued: _queued, ...rest }) => rest));
}
