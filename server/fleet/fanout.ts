/**
 * Live traffic across the fleet: socket.io's PostgreSQL adapter (LISTEN/NOTIFY on the
 * shared store, no service of its own) carries each node's exchanges to the others in
 * batches, as server-side events of the live namespace; the gateway hands them to the
 * connections that asked for that node (`setNodes`), filtered and flow-controlled like
 * its own. The store going away costs the fan-out, never the node: errors are logged, the
 * batches of the outage are dropped and counted, and the adapter listens again when the
 * store is back (its own reconnection loop).
 */
import { createAdapter } from "@socket.io/postgres-adapter";
import pg from "pg";
import { LIVE_NAMESPACE } from "../contract/events";
import type { ExchangeDto } from "../contract/exchange";
import type { Logger } from "../logger";
import type { LiveGateway, LiveNamespace, LiveServer } from "../realtime/gateway";
import { NodeDirectory } from "./fanout-directory";
import { exchangeBatch, helloMessage, MAX_BATCH } from "./fanout-protocol";
import { RemoteControl, type RemoteControlDeps } from "./remote-control";

export interface BatcherOptions {
  /** Exchanges per batch at most (NOTIFY payloads past 8000 bytes go through a table row). */
  maxBatch: number;
  /** Exchanges kept while batches cannot go out; past it new ones are dropped and counted. */
  maxQueued: number;
}

/** Local exchanges waiting for the next send: bounded, oldest first. */
export class ExchangeBatcher {
  private queue: ExchangeDto[] = [];
  dropped = 0;

  constructor(private readonly options: BatcherOptions) {}

  push(x: ExchangeDto): void {
    if (this.queue.length >= this.options.maxQueued) {
      this.dropped++;
      return;
    }
    this.queue.push(x);
  }

  get size(): number {
    return this.queue.length;
  }

  /** The next batch (at most maxBatch, oldest first), or undefined when none waits. */
  take(): ExchangeDto[] | undefined {
    if (this.queue.length === 0) return undefined;
    if (this.queue.length <= this.options.maxBatch) {
      const all = this.queue;
      this.queue = [];
      return all;
    }
    return this.queue.splice(0, this.options.maxBatch);
  }

  /** Forgets what waits (the store is away: old live traffic is not worth sending late). */
  discard(): number {
    const n = this.queue.length;
    this.dropped += n;
    this.queue = [];
    return n;
  }
}

/** Logs the store's errors without a line per failed NOTIFY: the first, then a count per interval. */
export class ErrorThrottle {
  private suppressed = 0;
  private last = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly log: (msg: string) => void,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  report(what: string, err: unknown): void {
    const t = this.now();
    if (t - this.last < this.intervalMs) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed > 0 ? ` (${this.suppressed} more errors since the last report)` : "";
    this.suppressed = 0;
    this.last = t;
    this.log(`fleet fan-out: ${what}: ${err instanceof Error ? err.message : String(err)}${more}`);
  }
}

/** The adapter's table for payloads over NOTIFY's 8000 bytes (as its README creates it). */
const ATTACHMENTS_TABLE = `CREATE TABLE IF NOT EXISTS socket_io_attachments (
  id bigserial UNIQUE,
  created_at timestamptz DEFAULT NOW(),
  payload bytea
)`;

export interface FleetAdapter {
  pool: pg.Pool;
  errors: ErrorThrottle;
  close(): Promise<void>;
}

/**
 * Puts every namespace of `io` on the PostgreSQL adapter. Never waits for the store: a
 * node whose store is down at start runs alone until it is up (the adapter retries).
 */
export function attachFleetAdapter(io: LiveServer, url: string, log: Logger): FleetAdapter {
  const errors = new ErrorThrottle((m) => log.warn(m));
  const pool = new pg.Pool({
    connectionString: url,
    max: 4,
    connectionTimeoutMillis: 3000,
    // A store that stops answering must not hold the fan-out's queries (and the pool) forever.
    query_timeout: 5000,
    application_name: "bmc-fanout",
  });
  pool.on("error", (err) => errors.report("idle connection", err));
  // The adapter keeps one client checked out for LISTEN without an error listener; a store
  // that goes away would otherwise end the process with an unhandled 'error'.
  pool.on("connect", (client) => client.on("error", (err) => errors.report("connection", err)));
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  const ensureTable = () => {
    pool.query(ATTACHMENTS_TABLE).then(
      () => undefined,
      (err: unknown) => {
        // Nodes starting together race on IF NOT EXISTS: the loser gets a unique violation on
        // the catalog (23505) or "already exists" (42P07). Either way the table is there.
        const code = (err as { code?: unknown } | null)?.code;
        if (code === "23505" || code === "42P07") return;
        errors.report("creating socket_io_attachments", err);
        if (!closed) retry = setTimeout(ensureTable, 5000);
      },
    );
  };
  ensureTable();
  io.adapter(
    createAdapter(pool, {
      errorHandler: (err) => errors.report("adapter", err),
      // Faster than the default 5 s / 10 s, so a stopped node stops counting sooner.
      heartbeatInterval: 2000,
      heartbeatTimeout: 6000,
    }),
  );
  return {
    pool,
    errors,
    async close() {
      closed = true;
      clearTimeout(retry);
      // The adapter never releases a LISTEN client whose connection the store ended: pool.end()
      // would wait for it forever (and, with nothing else alive, the process would exit mid-stop).
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        pool.end().catch(() => undefined),
        new Promise<void>((resolve) => {
          timer = setTimeout(resolve, 1000);
        }),
      ]);
      clearTimeout(timer);
    },
  };
}

export interface FanoutDeps {
  nsp: LiveNamespace;
  gateway: Pick<LiveGateway, "onLocalExchange" | "offerRemote">;
  directory: NodeDirectory;
  /** The adapter's pool: how busy it is decides whether a batch goes now. */
  pool: Pick<pg.Pool, "waitingCount">;
  log: Logger;
}

export interface FanoutOptions {
  flushIntervalMs?: number;
  maxBatch?: number;
  maxQueued?: number;
  helloIntervalMs?: number;
}

export class FleetFanout {
  private readonly batcher: ExchangeBatcher;
  private readonly timers: ReturnType<typeof setInterval>[] = [];
  private readonly unsubscribe: () => void;
  /** Batches not sent because the store was not keeping up (its queries queued). */
  skippedBatches = 0;
  /** Remote batches refused at the boundary. */
  refused = 0;

  constructor(
    private readonly deps: FanoutDeps,
    options: FanoutOptions = {},
  ) {
    const maxBatch = Math.min(options.maxBatch ?? 200, MAX_BATCH);
    this.batcher = new ExchangeBatcher({ maxBatch, maxQueued: options.maxQueued ?? 5000 });
    const { nsp, directory } = deps;
    this.unsubscribe = deps.gateway.onLocalExchange((x) => this.batcher.push(x));
    nsp.on("fleet:exchanges", (raw) => this.onBatch(raw));
    nsp.on("fleet:hello", (raw) => {
      const hello = helloMessage.safeParse(raw);
      if (!hello.success) return void this.refused++;
      // A newcomer hears back from everyone at once instead of at the next periodic hello.
      if (directory.heard(hello.data.node) && !hello.data.reply) this.hello(true);
    });
    this.hello(false);
    this.timers.push(
      setInterval(() => this.flush(), options.flushIntervalMs ?? 75),
      setInterval(() => this.hello(false), options.helloIntervalMs ?? 5000),
    );
  }

  get dropped(): number {
    return this.batcher.dropped;
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.unsubscribe();
    this.flush();
  }

  private hello(reply: boolean): void {
    this.deps.nsp.serverSideEmit("fleet:hello", { v: 1, node: this.deps.directory.self, reply });
  }

  /** One batch per tick at most, so a backlog drains at maxBatch per interval rather than in one burst. */
  private flush(): void {
    if (this.batcher.size === 0) return;
    if (this.deps.pool.waitingCount > 0) {
      // The store is slow or away: its queries queue in the pool. Live traffic sent late is
      // worth little and would pile up; drop it, count it, send the fresh traffic later.
      this.batcher.discard();
      this.skippedBatches++;
      return;
    }
    const exchanges = this.batcher.take();
    if (!exchanges) return;
    this.deps.nsp.serverSideEmit("fleet:exchanges", { v: 1, node: this.deps.directory.self, exchanges });
  }

  private onBatch(raw: unknown): void {
    const parsed = exchangeBatch.safeParse(raw);
    if (!parsed.success) {
      this.refused++;
      this.deps.log.debug(`fleet fan-out: a batch refused: ${parsed.error.issues[0]?.message ?? "invalid"}`);
      return;
    }
    const { node, exchanges } = parsed.data;
    if (node === this.deps.directory.self) return;
    this.deps.directory.heard(node);
    const dtos: ExchangeDto[] = exchanges.map((x) => ({ ...x, node }));
    this.deps.gateway.offerRemote(node, dtos);
  }
}

export interface FleetLinkDeps {
  io: LiveServer;
  adapter: FleetAdapter;
  gateway: Pick<LiveGateway, "onLocalExchange" | "offerRemote">;
  node: string;
  /** Runs a control command here (control-actions.ts executeControl on the runtime's services). */
  execute: RemoteControlDeps["execute"];
  log: Logger;
}

/** The fan-out and remote control of one node, on the live namespace; close() before io.close(). */
export function startFleetLink(deps: FleetLinkDeps): {
  fanout: FleetFanout;
  control: RemoteControl;
  close(): Promise<void>;
} {
  const nsp: LiveNamespace = deps.io.of(LIVE_NAMESPACE);
  const directory = new NodeDirectory(deps.node);
  const fanout = new FleetFanout({
    nsp,
    gateway: deps.gateway,
    directory,
    pool: deps.adapter.pool,
    log: deps.log,
  });
  const control = new RemoteControl({ bus: nsp, directory, execute: deps.execute, log: deps.log });
  return {
    fanout,
    control,
    async close() {
      fanout.close();
      control.close();
    },
  };
}
