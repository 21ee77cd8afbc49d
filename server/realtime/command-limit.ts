/**
 * A per-connection limit on what a browser sends over socket.io (setFilter, setConsoleLane,
 * claim, release, input, and any event name a hostile client makes up): a token bucket per
 * socket, so one connection flooding commands is refused with a clear reason in its ack
 * while the router and every other connection carry on. The bucket is the LAN port's
 * (buses/lan/rate-limit.ts), keyed by socket id and forgotten when the socket goes.
 *
 * The limits are far above what a person does: typing with key repeat is ~30 keystrokes a
 * second on the console (one `input` each), a filter box a few `setFilter` a second.
 */
import { PerClientRateLimit } from "../buses/lan/rate-limit";

export interface CommandLimitOptions {
  /** Commands per second a connection may send on average. */
  rate: number;
  /** How many it may send at once. */
  burst: number;
  now?: () => number;
}

/** 50 commands a second sustained, bursts of 100 (a paste split by the terminal, a fast typist). */
export const DEFAULT_COMMAND_LIMIT: CommandLimitOptions = { rate: 50, burst: 100 };

/** What guard() needs of a socket.io server socket. */
export interface GuardedSocket {
  readonly id: string;
  use(fn: (packet: [string, ...unknown[]], next: (err?: Error) => void) => void): unknown;
  on(event: "disconnect", listener: () => void): unknown;
}

export type CommandVerdict = { ok: true } | { ok: false; error: string; retryInMs: number };

export class CommandLimit {
  private readonly buckets: PerClientRateLimit;
  private readonly options: CommandLimitOptions;
  /** Connections whose last command was refused: the next refusal continues their run. */
  private readonly limited = new Set<string>();
  /** Commands refused since start, over all connections. */
  refused = 0;

  /**
   * `onLimited` is told once per run of refusals (the first refused command after one that
   * went through), so a flood makes one log line, not thousands.
   */
  constructor(
    options: Partial<CommandLimitOptions> = {},
    private readonly onLimited?: (connection: string, event: string) => void,
  ) {
    this.options = { ...DEFAULT_COMMAND_LIMIT, ...options };
    this.buckets = new PerClientRateLimit({
      rate: this.options.rate,
      burst: this.options.burst,
      // One bucket per open connection, forgotten on disconnect; this bound only matters if
      // a forget were missed.
      maxClients: 65_536,
      ...(this.options.now ? { now: this.options.now } : {}),
    });
  }

  /** Connections with a bucket (tests check none are left behind). */
  get connections(): number {
    return this.buckets.size;
  }

  check(connection: string, event: string): CommandVerdict {
    if (this.buckets.allow(connection)) {
      this.limited.delete(connection);
      return { ok: true };
    }
    this.refused++;
    if (!this.limited.has(connection)) {
      this.limited.add(connection);
      this.onLimited?.(connection, event);
    }
    const retryInMs = Math.max(1, this.buckets.retryInMs(connection));
    return {
      ok: false,
      error: `rate limited: at most ${this.options.rate} commands per second; retry in ${retryInMs} ms`,
      retryInMs,
    };
  }

  forget(connection: string): void {
    this.buckets.forget(connection);
    this.limited.delete(connection);
  }

  /**
   * socket.io middleware for one socket: a refused event is not handed to its handler, and
   * its ack (if it sent one) gets `{ ok: false, error, retryInMs, ...extra(event) }`.
   */
  guard(socket: GuardedSocket, extra: (event: string) => object = () => ({})): void {
    socket.use((packet, next) => {
      const event = packet[0];
      const verdict = this.check(socket.id, event);
      if (verdict.ok) return next();
      const ack: unknown = packet[packet.length - 1];
      if (typeof ack === "function") ack({ ...extra(event), ...verdict });
    });
    socket.on("disconnect", () => this.forget(socket.id));
  }
}
