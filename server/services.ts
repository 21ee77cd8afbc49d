/**
 * What the running server offers to the HTTP route handlers. Next compiles the route
 * handlers separately from the custom server, so they cannot import the router's
 * module instances; the server publishes this one object on globalThis at start and
 * the routes look it up (docs/stack.md, "Next.js with a custom server").
 */

import type { AuthService } from "./auth/auth-service";
import type { ExchangesPage, ExchangesQuery, ExportQuery, HealthResponse } from "./contract/api";
import type {
  ConsoleExportQueryDto,
  ConsoleHistoryPageDto,
  ConsoleHistoryQueryDto,
} from "./contract/console";
import type { AuditExportQuery, AuditPage, AuditQuery, InjectBody } from "./contract/control";
import type { Exchange } from "./contract/exchange";
import type { FleetStatusDto } from "./contract/fleet";
import type { HandlerInfo } from "./contract/handlers";
import type { IpmiUserInfo, IpmiUserPatch, IpmiUsersResponse, LanSessionsResponse } from "./contract/lan";
import type { QueuesSnapshot } from "./contract/queues";
import type { RatesSnapshot } from "./contract/rates";
import type { AuditLog } from "./control/audit-log";
import type { HoldQueue } from "./control/hold-queue";
import type { RuleEngine } from "./control/rule-engine";
import type { HistoryRefusal } from "./fleet/fleet-history";

export interface ServerServices {
  health(): Promise<HealthResponse>;
  listHandlers(): HandlerInfo[];
  /** Exchanges/s and errors per bus, requests and p50/p99 latency per handler. */
  rates(): RatesSnapshot;
  /** The event message buffer and receive message queue: what waits for the host (GET /api/bmc/queues). */
  messageQueues(): QueuesSnapshot;
  /** Returns the updated handler, or null when no handler has that id. */
  setHandlerEnabled(id: string, enabled: boolean): Promise<HandlerInfo | null>;
  auth: AuthService;
  rules: RuleEngine;
  holds: HoldQueue;
  audit: AuditLog;
  /** Routes a request as if from the host on a bus; null when there is no such bus. */
  inject(body: InjectBody, origin?: "injected" | "replay"): Promise<Exchange | null>;
  /** The request of a logged exchange, injected again. */
  replay(id: number): Promise<Exchange | "no-exchange" | "no-bus">;
  /**
   * Why a history, audit or export query cannot be read (an unknown node, the fleet's store
   * away, a cursor of another log), as the route's status and message; null: it can. Asked
   * before exchangesPage, exportExchanges, auditPage and exportAudit, which throw on what
   * this refuses.
   */
  historyRefusal(query: {
    node?: string | undefined;
    cursor?: string | undefined;
    before?: number | undefined;
  }): Promise<HistoryRefusal | null>;
  exchangesPage(query: ExchangesQuery): Promise<ExchangesPage>;
  /** Streams the export in chunks; never holds the whole log in memory. */
  exportExchanges(query: ExportQuery): AsyncIterable<string | Uint8Array>;
  /** The audit trail, newest first: this node's own, or (`node`) another's or every node's from the store. */
  auditPage(query: AuditQuery): Promise<AuditPage>;
  exportAudit(query: AuditExportQuery): AsyncIterable<string>;
  /** The LAN channel's sessions and IPMI users. */
  lan: LanServices;
  /** The host console's recorded history (newest first) and its export. */
  consoleHistory(query: ConsoleHistoryQueryDto): Promise<ConsoleHistoryPageDto>;
  exportConsole(query: ConsoleExportQueryDto): AsyncIterable<string>;
  /** GET /api/fleet: this node, the shared store, every node it knows (enabled: false when alone). */
  fleet(): Promise<FleetStatusDto>;
}

export interface LanServices {
  sessions(): LanSessionsResponse;
  /** Closes a session (the console's next packet finds none); false when it was not open. */
  closeSession(id: number, reason: string): boolean;
  users(): IpmiUsersResponse;
  /** null: no such user ID; `error`: the change was refused (a duplicate name, ...). */
  updateUser(id: number, patch: IpmiUserPatch): IpmiUserInfo | { error: string } | null;
}

const KEY = Symbol.for("bmc-console.services");
type Holder = { [KEY]?: ServerServices };

export function publishServices(services: ServerServices | undefined): void {
  (globalThis as Holder)[KEY] = services;
}

export function findServices(): ServerServices | undefined {
  return (globalThis as Holder)[KEY];
}
