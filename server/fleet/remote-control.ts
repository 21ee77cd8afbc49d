/**
 * Control actions for another node of the fleet, over the fan-out's server-side events.
 * Node A sends `fleet:control` naming its target; every node hears it, only the target
 * acts (through control-actions.ts, the route's own code path, audited there as
 * "alice on node a") and sends `fleet:control-reply`, which A matches by request id.
 *
 * Why a reply event rather than serverSideEmit's acknowledgement: the adapter calls the
 * acknowledgement once every server it counts has answered, or after its fixed 5 s; a node
 * that died without saying goodbye is counted until its heartbeat times out, so every
 * command would wait 5 s. A reply settles as soon as the target answers; no answer within
 * `timeoutMs` is "gone".
 *
 * Trust: the operator was signed in and their role checked on A (the gate); the target
 * takes the identity as sent. Whoever can NOTIFY on the fleet's store is trusted as a node.
 */
import { randomBytes } from "node:crypto";
import type { RemoteControlError } from "../contract/fleet";
import type { FleetControl } from "../control/control-actions";
import {
  type ControlCommand,
  type ControlOperator,
  type ControlOutcome,
  controlCommand,
} from "../control/control-actions";
import type { Logger } from "../logger";
import type { LiveNamespace } from "../realtime/gateway";
import { type CommandRoute, type NodeDirectory, routeCommand } from "./fanout-directory";
import { type ControlRequest, controlReply, controlRequest } from "./fanout-protocol";

/** What the transport needs of the live namespace: send to the other servers, hear them. */
export type ControlBus = Pick<LiveNamespace, "serverSideEmit" | "on">;

export interface RemoteControlDeps {
  bus: ControlBus;
  directory: NodeDirectory;
  /** Runs a command here, on behalf of `actor` (control-actions.ts executeControl on the services). */
  execute(command: ControlCommand, actor: string): Promise<ControlOutcome>;
  log: Logger;
  timeoutMs?: number;
}

interface Pending {
  target: string;
  resolve(outcome: ControlOutcome): void;
  timer: ReturnType<typeof setTimeout>;
}

export class RemoteControl implements FleetControl {
  private readonly pending = new Map<string, Pending>();
  private readonly timeoutMs: number;
  /** Requests and replies refused at the boundary. */
  refused = 0;

  constructor(private readonly deps: RemoteControlDeps) {
    this.timeoutMs = deps.timeoutMs ?? 2000;
    deps.bus.on("fleet:control", (raw) => void this.onRequest(raw));
    deps.bus.on("fleet:control-reply", (raw) => this.onReply(raw));
  }

  get self(): string {
    return this.deps.directory.self;
  }

  route(node: string | undefined): CommandRoute {
    return routeCommand(node, this.deps.directory);
  }

  send(node: string, command: ControlCommand, operator: ControlOperator): Promise<ControlOutcome> {
    const requestId = randomBytes(12).toString("hex");
    const request: ControlRequest = {
      v: 1,
      requestId,
      from: this.self,
      target: node,
      operator: { id: operator.id, username: operator.username, role: operator.role },
      command,
    };
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        const body: RemoteControlError = {
          error: `node '${node}' did not answer within ${this.timeoutMs} ms`,
          reason: "gone",
        };
        resolve({ status: 504, body });
      }, this.timeoutMs);
      this.pending.set(requestId, { target: node, resolve, timer });
      this.deps.bus.serverSideEmit("fleet:control", request);
    });
  }

  /** Answers what is still waiting (the server is stopping). */
  close(): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      const body: RemoteControlError = { error: "this node is stopping", reason: "gone" };
      p.resolve({ status: 503, body });
      this.pending.delete(id);
    }
  }

  private async onRequest(raw: unknown): Promise<void> {
    const parsed = controlRequest.safeParse(raw);
    if (!parsed.success) {
      this.refused++;
      return;
    }
    const request = parsed.data;
    this.deps.directory.heard(request.from);
    if (request.target !== this.self) return;
    const command = controlCommand.safeParse(request.command);
    let outcome: ControlOutcome;
    if (!command.success) {
      this.refused++;
      outcome = { status: 400, body: { error: "invalid command from another node" } };
    } else {
      const actor = `${request.operator.username} on node ${request.from}`;
      try {
        outcome = await this.deps.execute(command.data, actor);
      } catch (err) {
        this.deps.log.error(`fleet: a command from node ${request.from} failed: ${String(err)}`);
        outcome = { status: 500, body: { error: "internal error" } };
      }
    }
    this.deps.bus.serverSideEmit("fleet:control-reply", {
      v: 1,
      requestId: request.requestId,
      from: this.self,
      to: request.from,
      status: outcome.status,
      body: outcome.body,
    });
  }

  private onReply(raw: unknown): void {
    const parsed = controlReply.safeParse(raw);
    if (!parsed.success) {
      this.refused++;
      return;
    }
    const reply = parsed.data;
    this.deps.directory.heard(reply.from);
    if (reply.to !== this.self) return;
    const p = this.pending.get(reply.requestId);
    // Only the node the command was for may settle it.
    if (!p || p.target !== reply.from) return;
    this.pending.delete(reply.requestId);
    clearTimeout(p.timer);
    p.resolve(refusedOrDone(reply.status, reply.body));
  }
}

/** A refusal on the target keeps its status and message, marked "refused" (RemoteControlError). */
export function refusedOrDone(status: number, body: unknown): ControlOutcome {
  if (status < 400) return { status, body };
  const error =
    typeof body === "object" && body !== null && "error" in body && typeof body.error === "string"
      ? body.error
      : `refused (${status})`;
  const issues = typeof body === "object" && body !== null && "issues" in body ? body.issues : undefined;
  return { status, body: { error, reason: "refused", ...(issues === undefined ? {} : { issues }) } };
}
