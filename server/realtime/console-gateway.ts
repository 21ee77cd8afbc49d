/**
 * The host console in the browser: one socket.io namespace (CONSOLE_NAMESPACE) beside the
 * live stream, on the same signed-in session. Each tab is a reader of the ConsoleStream
 * (server/console/console-stream.ts): it gets the scrollback, then what the host prints,
 * one acknowledged chunk at a time, so a tab that stops reading loses the oldest bytes
 * (told as `skipped`) instead of holding the host or the other readers up. An operator may
 * take the keyboard; the claim goes to the audit trail, and what they type is stored in the
 * console history with their name as its source.
 */
import type { Namespace, Server, Socket } from "socket.io";
import { sameOrigin } from "../auth/access-policy";
import type { AuthService } from "../auth/auth-service";
import { readCookie, SESSION_COOKIE } from "../auth/session-cookie";
import type { ConsoleOwner, ConsoleStream } from "../console/console-stream";
import {
  CONSOLE_NAMESPACE,
  type ConsoleClaimResult,
  type ConsoleClientToServer,
  type ConsolePartyDto,
  type ConsoleServerToClient,
  type ConsoleStateDto,
} from "../contract/console";
import type { OperatorInfo } from "../contract/control";
import type { AuditLog } from "../control/audit-log";
import type { Logger } from "../logger";
import { CommandLimit, type CommandLimitOptions } from "./command-limit";

/** The most bytes sent in one `output` message. */
const CHUNK_BYTES = 16 * 1024;
/** The most characters one `input` may carry (a paste). */
const MAX_INPUT_CHARS = 4096;

interface SocketData {
  operator: OperatorInfo;
  owner: ConsoleOwner;
}

type ConsoleSocket = Socket<ConsoleClientToServer, ConsoleServerToClient, Record<string, never>, SocketData>;

export interface ConsoleGatewayDeps {
  /** The server's socket.io instance (typed for the live namespace's events; see the constructor). */
  io: Pick<Server, "of">;
  console: ConsoleStream;
  /** For people: "QEMU guest serial, listening on 127.0.0.1:9004". */
  description: () => string;
  auth: Pick<AuthService, "resolve">;
  audit: Pick<AuditLog, "record">;
  /** Where a connection flooding commands is reported (once per run of refusals). */
  log?: Pick<Logger, "warn">;
  /** Per-connection limit on claim/release/input (DEFAULT_COMMAND_LIMIT when omitted). */
  commandLimit?: Partial<CommandLimitOptions>;
}

export class ConsoleGateway {
  private readonly nsp: Namespace<
    ConsoleClientToServer,
    ConsoleServerToClient,
    Record<string, never>,
    SocketData
  >;
  private readonly sockets = new Set<ConsoleSocket>();
  private readonly unsubscribe: () => void;
  private readonly commands: CommandLimit;

  constructor(private readonly deps: ConsoleGatewayDeps) {
    this.commands = new CommandLimit(deps.commandLimit, (id, event) =>
      deps.log?.warn(`console client ${id}: commands refused (rate limited), starting with '${event}'`),
    );
    // socket.io types one event map per Server; this namespace has its own (contract/console.ts).
    this.nsp = deps.io.of(CONSOLE_NAMESPACE) as unknown as ConsoleGateway["nsp"];
    this.nsp.use((socket, next) => {
      void this.admit(socket).then(
        (refusal) => next(refusal ? new Error(refusal) : undefined),
        () => next(new Error("unauthorized")),
      );
    });
    this.nsp.on("connection", (socket) => this.connect(socket));
    // Whoever attaches, leaves, takes the keyboard or the host's line changing: every tab's view.
    this.unsubscribe = deps.console.on((e) => {
      if (e.type !== "output" && e.type !== "input") this.sendStates();
    });
  }

  close(): void {
    this.unsubscribe();
    for (const s of this.sockets) s.disconnect(true);
  }

  private async admit(socket: ConsoleSocket): Promise<string | null> {
    const { headers } = socket.handshake;
    if (!sameOrigin(headers.origin, headers.host)) return "unauthorized: cross-origin";
    const operator = await this.deps.auth.resolve(readCookie(headers.cookie, SESSION_COOKIE));
    if (!operator) return "unauthorized";
    socket.data.operator = { id: operator.id, username: operator.username, role: operator.role };
    socket.data.owner = { kind: "browser", id: socket.id, label: operator.username };
    return null;
  }

  private connect(socket: ConsoleSocket): void {
    const { owner, operator } = socket.data;
    this.sockets.add(socket);
    // Before any handler: a flood of input or claims is refused here, per connection.
    this.commands.guard(socket);
    const reader = this.deps.console.addReader(owner);
    let inFlight = false;
    // One chunk at a time, the next after the browser acknowledged the last.
    const pump = () => {
      if (inFlight || reader.closed || !socket.connected) return;
      const { data, skipped } = reader.take(CHUNK_BYTES);
      if (skipped > 0) socket.emit("skipped", skipped);
      if (data.length === 0) return;
      inFlight = true;
      socket.emit("output", data, () => {
        inFlight = false;
        pump();
      });
    };
    reader.onReadable(pump);
    this.sendState(socket);
    pump();

    socket.on("claim", (options, ack) => {
      if (typeof ack !== "function") return;
      if (operator.role !== "operator") return ack(refused("viewers watch the console; an operator types"));
      const takeOver = typeof options === "object" && options !== null && options.takeOver === true;
      const result = this.deps.console.claimWriter(owner, { takeOver });
      if (!result.ok) return ack(refused(`${result.writer.label} (${result.writer.kind}) has the keyboard`));
      void this.deps.audit.record({
        actor: operator.username,
        action: "console.claim",
        target: "host console",
        detail: result.previous
          ? { takenFrom: `${result.previous.kind}:${result.previous.label}` }
          : undefined,
      });
      ack({ ok: true });
    });
    socket.on("release", () => {
      this.deps.console.release(owner);
    });
    socket.on("input", (text, ack) => {
      if (typeof ack !== "function") return;
      if (typeof text !== "string" || text.length === 0 || text.length > MAX_INPUT_CHARS)
        return ack(refused(`input is 1 to ${MAX_INPUT_CHARS} characters of text`));
      const result = this.deps.console.write(owner, new TextEncoder().encode(text));
      if (result.ok) return ack({ ok: true });
      ack(
        refused(
          result.reason === "host-down"
            ? "the host's serial line is not connected"
            : "take the keyboard first (someone else may have it)",
        ),
      );
    });
    socket.on("disconnect", () => {
      this.sockets.delete(socket);
      reader.close();
      this.deps.console.detach(owner);
    });
  }

  private sendStates(): void {
    for (const s of this.sockets) this.sendState(s);
  }

  private sendState(socket: ConsoleSocket): void {
    const c = this.deps.console;
    const attached = c.attached();
    const me = socket.data.owner;
    const party = (o: ConsoleOwner): ConsolePartyDto => ({
      kind: o.kind,
      label: o.label,
      you: o.kind === me.kind && o.id === me.id,
    });
    const state: ConsoleStateDto = {
      host: c.hostState,
      description: this.deps.description(),
      readers: attached.readers.map((r) => party(r.owner)),
      writer: attached.writer ? party(attached.writer.owner) : null,
      canType: socket.data.operator.role === "operator",
    };
    socket.emit("state", state);
  }
}

function refused(error: string): ConsoleClaimResult {
  return { ok: false, error };
}
