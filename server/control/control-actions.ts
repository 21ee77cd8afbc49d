/**
 * The control actions the API offers (handler switch, rules, held requests, replay) and the
 * lists they act on, as one code path, whoever asks: the route of this node, or another node of the fleet on behalf of its
 * operator (server/fleet/remote-control.ts). A command is what the route received, not yet
 * checked (ids as path text, bodies as parsed JSON): `prepareControl` checks it the same way
 * wherever it runs, so a command from another node is validated here like a request.
 * Each action is audited where it acts, with the actor as given ("alice", or
 * "alice on node a" for one sent from node a). Lists are reads: not audited anywhere, as
 * the local GET routes are not.
 */
import { z } from "zod";
import { type HandlersResponse, handlerIdParam, patchHandlerBody } from "../contract/api";
import { answerHeldBody, type InjectResponse, newRuleBody, patchRuleBody } from "../contract/control";
import { toExchangeDto } from "../contract/exchange";
import { type RemoteControlError, targetNode } from "../contract/fleet";
import { HttpError, idParam, parseWith } from "../http/route-helpers";
import type { ServerServices } from "../services";
import type { HoldActionResult } from "./hold-queue";

const rawId = z.string().min(1).max(200);

export const controlCommand = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("handler.set"), id: rawId, body: z.unknown() }).strict(),
  z.object({ kind: z.literal("rule.create"), body: z.unknown() }).strict(),
  z.object({ kind: z.literal("rule.update"), id: rawId, body: z.unknown() }).strict(),
  z.object({ kind: z.literal("rule.delete"), id: rawId }).strict(),
  z
    .object({ kind: z.literal("held.action"), id: rawId, action: z.string().max(32), body: z.unknown() })
    .strict(),
  z.object({ kind: z.literal("held.pass-all") }).strict(),
  z.object({ kind: z.literal("exchange.replay"), id: rawId }).strict(),
  z.object({ kind: z.literal("handler.list") }).strict(),
  z.object({ kind: z.literal("rule.list") }).strict(),
  z.object({ kind: z.literal("held.list") }).strict(),
]);
export type ControlCommand = z.infer<typeof controlCommand>;

/** What an action came to: an HTTP status and its JSON body (null: no body, 204). */
export interface ControlOutcome {
  status: number;
  body: unknown;
}

export type ControlServices = Pick<
  ServerServices,
  "listHandlers" | "setHandlerEnabled" | "rules" | "holds" | "audit" | "replay"
>;

/** A command checked: what it will do, and the audit's name for it. */
interface PreparedControl {
  action: string;
  target: string | null;
  /** A list: changes nothing, so the sending node does not audit it either. */
  read?: true;
  run(s: ControlServices, actor: string): Promise<ControlOutcome>;
}

/** Checks a command (400 or 404 as HttpError, as the route would answer). */
export function prepareControl(command: ControlCommand): PreparedControl {
  switch (command.kind) {
    case "handler.set": {
      const id = parseWith(handlerIdParam, command.id, "handler id");
      const body = parseWith(patchHandlerBody, command.body, "body");
      const action = body.enabled ? "handler.enable" : "handler.disable";
      return {
        action,
        target: id,
        async run(s, actor) {
          const updated = await s.setHandlerEnabled(id, body.enabled);
          if (!updated) throw new HttpError(404, `no handler with id '${id}'`);
          await s.audit.record({ actor, action, target: id });
          return { status: 200, body: updated };
        },
      };
    }
    case "rule.create": {
      const body = parseWith(newRuleBody, command.body, "body");
      return {
        action: "rule.create",
        target: null,
        async run(s, actor) {
          const rule = await s.rules.create(body);
          await s.audit.record({ actor, action: "rule.create", target: String(rule.id), detail: rule });
          return { status: 201, body: rule };
        },
      };
    }
    case "rule.update": {
      const id = idParam(command.id, "rule id");
      const body = parseWith(patchRuleBody, command.body, "body");
      return {
        action: "rule.change",
        target: String(id),
        async run(s, actor) {
          const rule = await s.rules.update(id, body);
          if (!rule) throw new HttpError(404, `no rule #${id}`);
          await s.audit.record({ actor, action: "rule.change", target: String(id), detail: body });
          return { status: 200, body: rule };
        },
      };
    }
    case "rule.delete": {
      const id = idParam(command.id, "rule id");
      return {
        action: "rule.delete",
        target: String(id),
        async run(s, actor) {
          const rule = s.rules.get(id);
          if (!rule || !(await s.rules.remove(id))) throw new HttpError(404, `no rule #${id}`);
          await s.audit.record({
            actor,
            action: "rule.delete",
            target: String(id),
            detail: { name: rule.name },
          });
          return { status: 204, body: null };
        },
      };
    }
    case "held.action":
      return prepareHeld(command.id, command.action, command.body);
    case "held.pass-all":
      return {
        action: "held.pass-all",
        target: null,
        async run(s, actor) {
          const passed = await s.holds.passAll(actor);
          await s.audit.record({ actor, action: "held.pass-all", detail: { passed } });
          return { status: 200, body: { passed } };
        },
      };
    case "exchange.replay":
      return prepareReplay(command.id);
    case "handler.list":
      return listing("handler.list", (s): HandlersResponse => ({ handlers: s.listHandlers() }));
    case "rule.list":
      return listing("rule.list", (s) => ({ rules: s.rules.list() }));
    case "held.list":
      return listing("held.list", (s) => ({ held: s.holds.list() }));
  }
}

/** A read: answers what the local GET route answers, audits nothing. */
function listing(action: string, read: (s: ControlServices) => unknown): PreparedControl {
  return {
    action,
    target: null,
    read: true,
    run: async (s) => ({ status: 200, body: read(s) }),
  };
}

function prepareReplay(rawExchangeId: string): PreparedControl {
  const id = idParam(rawExchangeId, "exchange id");
  return {
    action: "exchange.replay",
    target: String(id),
    async run(s, actor) {
      const x = await s.replay(id);
      if (x === "no-exchange") throw new HttpError(404, `no exchange #${id} with a request to replay`);
      if (x === "no-bus") throw new HttpError(409, `exchange #${id}'s bus is gone`);
      await s.audit.record({
        actor,
        action: "exchange.replay",
        target: String(id),
        detail: { exchangeId: x.id },
      });
      const body: InjectResponse = { exchange: toExchangeDto(x) };
      return { status: 200, body };
    },
  };
}

function prepareHeld(rawHeldId: string, action: string, rawBody: unknown): PreparedControl {
  const id = idParam(rawHeldId, "held request id");
  let settle: (s: ControlServices, actor: string) => Promise<HoldActionResult>;
  let detail: unknown;
  switch (action) {
    case "answer": {
      const body = parseWith(answerHeldBody, rawBody, "body");
      detail = body;
      settle = (s, actor) => s.holds.answer(id, body.cc, body.data, actor);
      break;
    }
    case "pass":
      settle = (s, actor) => s.holds.pass(id, actor);
      break;
    case "drop":
      settle = (s, actor) => s.holds.drop(id, actor);
      break;
    default:
      throw new HttpError(404, `no action '${action}' (answer, pass, drop)`);
  }
  return {
    action: `held.${action}`,
    target: String(id),
    async run(s, actor) {
      const result = await settle(s, actor);
      if (!result.ok) {
        if (result.reason === "already") throw new HttpError(409, `held request ${id} was already answered`);
        throw new HttpError(404, `no held request ${id}`);
      }
      await s.audit.record({ actor, action: `held.${action}`, target: String(id), detail });
      return { status: 200, body: { exchange: toExchangeDto(result.exchange) } };
    },
  };
}

/** An HttpError as the outcome the route (or the node that sent the command) answers with. */
export function errorOutcome(err: unknown): ControlOutcome {
  if (!(err instanceof HttpError)) throw err;
  const body: { error: string; issues?: unknown; position?: number } = { error: err.message };
  if (err.issues) body.issues = err.issues;
  if (err.position !== undefined) body.position = err.position;
  return { status: err.status, body };
}

/** Checks and runs a command here; refusals come back as outcomes (4xx), not exceptions. */
export async function executeControl(
  s: ControlServices,
  command: ControlCommand,
  actor: string,
): Promise<ControlOutcome> {
  try {
    return await prepareControl(command).run(s, actor);
  } catch (err) {
    return errorOutcome(err);
  }
}

// ---- the fleet's side, as the routes see it -------------------------------------------

/** Who asked, as the gate resolved them on the node the request arrived at. */
export interface ControlOperator {
  id: number;
  username: string;
  role: "viewer" | "operator";
}

/**
 * Sends commands to other nodes (server/fleet/remote-control.ts). Published on globalThis
 * by the server, like services.ts, because Next compiles the routes apart from it.
 */
export interface FleetControl {
  /** This node's name (NODE_NAME). */
  readonly self: string;
  /** Whether `node` names this node, another node heard of, or no node at all. */
  route(node: string | undefined): "local" | "remote" | "unknown-node";
  /** Runs the command on `node`; a RemoteControlError body when it did not get there or was refused. */
  send(node: string, command: ControlCommand, operator: ControlOperator): Promise<ControlOutcome>;
}

const KEY = Symbol.for("bmc-console.fleet-control");
type Holder = { [KEY]?: FleetControl };

export function publishFleetControl(control: FleetControl | undefined): void {
  (globalThis as Holder)[KEY] = control;
}

export function findFleetControl(): FleetControl | undefined {
  return (globalThis as Holder)[KEY];
}

/** The RemoteControlError answer for a node that is not in the fleet. */
export function unknownNode(node: string): ControlOutcome {
  const body: RemoteControlError = { error: `no node '${node}' in the fleet`, reason: "unknown-node" };
  return { status: 404, body };
}

/**
 * What a route does with a command: here through the one code path, or on `node` through
 * the fleet; in the latter case this node audits that it sent it (and the outcome), the
 * target audits the action itself.
 */
export async function dispatchControl(
  s: ControlServices,
  command: ControlCommand,
  operator: ControlOperator,
  node: string | undefined,
): Promise<ControlOutcome> {
  const fleet = findFleetControl();
  const route = fleet ? fleet.route(node) : node === undefined ? "local" : "unknown-node";
  if (route === "local") return executeControl(s, command, operator.username);
  if (route === "unknown-node" || !fleet || node === undefined) return unknownNode(node ?? "");
  // Checked here first: a request the target would refuse as malformed never leaves this node.
  let prepared: PreparedControl;
  try {
    prepared = prepareControl(command);
  } catch (err) {
    return errorOutcome(err);
  }
  const outcome = await fleet.send(node, command, operator);
  if (prepared.read) return outcome;
  await s.audit.record({
    actor: operator.username,
    action: prepared.action,
    target: prepared.target,
    detail: { sentTo: node, status: outcome.status },
  });
  return outcome;
}

/**
 * The node a control request is for: the `node` query parameter on every control route
 * (`PATCH /api/handlers/x?node=c`, `GET /api/rules?node=c`), so bodies keep their shape and
 * DELETE and GET need none.
 */
export function targetNodeOf(request: Request): string | undefined {
  const raw = new URL(request.url).searchParams.get("node");
  return parseWith(targetNode, raw === null || raw === "" ? undefined : raw, "node");
}

/** The outcome as the route's answer. */
export function outcomeResponse(outcome: ControlOutcome): Response {
  if (outcome.body === null) return new Response(null, { status: outcome.status });
  return Response.json(outcome.body, { status: outcome.status });
}

/** A node alone: only its own name (or none) is a target. */
export function soloFleetControl(self: string): FleetControl {
  return {
    self,
    route: (node) => (node === undefined || node === self ? "local" : "unknown-node"),
    send: async (node) => unknownNode(node),
  };
}
