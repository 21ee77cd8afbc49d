/**
 * SOL payload instance 1 (IPMI 2.0 sections 15 and 24): who has it, and the running
 * session between the remote console (packets over RMCP+, through a `SolLink` the LAN bus
 * gives) and the host's serial line (the ConsoleStream, as a reader and as its writer).
 *
 * One instance, as most BMCs have: a second Activate Payload while it is active answers
 * 80h "payload already active on another session" (table 24-2). The SOL session
 * (server/ipmi/sol/sol-session.ts) is pure; this module feeds it the console's packets,
 * the host's bytes and its timer, and sends what it returns.
 */
import type { ConsoleOwner, ConsoleReader, ConsoleStream } from "../../console/console-stream";
import {
  decodeConsolePacket,
  encodeBmcPacket,
  type SolBmcPacket,
  SolPacketError,
} from "../../ipmi/sol/sol-packet";
import { SolSession } from "../../ipmi/sol/sol-session";
import type { SolTiming } from "../sol-config";

/** How the LAN bus carries SOL packets for one RMCP+ session. */
export interface SolLink {
  /** Seals `payload` as payload type 01h in the session (its integrity and confidentiality) and sends it to the console. */
  send(payload: Uint8Array): void;
}

export interface SolActivation {
  sessionId: number;
  /** "admin@127.0.0.1:50123": the console's owner label. */
  label: string;
  link: SolLink;
}

export interface SolPayloadsLog {
  info(msg: string): void;
  warn(msg: string): void;
}

/** Inbound and outbound payload sizes this BMC offers (Activate Payload's answer): ipmitool sizes its buffers from them. */
export const SOL_PAYLOAD_SIZE = 255;
const SOL_HEADER = 4;

export class SolPayloads {
  private active:
    | {
        sessionId: number;
        owner: ConsoleOwner;
        link: SolLink;
        session: SolSession;
        reader: ConsoleReader;
        timer: ReturnType<typeof setTimeout> | undefined;
        offReadable: () => void;
      }
    | undefined;
  private readonly now: () => number;

  constructor(
    private readonly deps: {
      console: ConsoleStream;
      timing: () => SolTiming;
      log?: SolPayloadsLog;
      now?: () => number;
    },
  ) {
    this.now = deps.now ?? (() => performance.now());
  }

  /** The session holding instance 1; undefined when it is free. */
  get activeSession(): number | undefined {
    return this.active?.sessionId;
  }

  /**
   * Activates instance 1 for a session: false when another session holds it (80h). The
   * console's owner takes the host's keyboard over: an operator in a browser yields to SOL,
   * as a console server hands the line to whoever connects to it (the audit shows both).
   */
  activate(a: SolActivation): boolean {
    if (this.active) return this.active.sessionId === a.sessionId;
    const owner: ConsoleOwner = { kind: "sol", id: String(a.sessionId), label: a.label };
    const timing = this.deps.timing();
    const session = new SolSession({
      ...timing,
      maxOutbound: SOL_PAYLOAD_SIZE - SOL_HEADER,
      maxInbound: SOL_PAYLOAD_SIZE - SOL_HEADER,
      now: this.now,
    });
    // New output only: a console that activates sees the host from now, as on a real BMC.
    const reader = this.deps.console.addReader(owner, { scrollback: false });
    this.deps.console.claimWriter(owner, { takeOver: true });
    const active = {
      sessionId: a.sessionId,
      owner,
      link: a.link,
      session,
      reader,
      timer: undefined,
      offReadable: () => {},
    };
    this.active = active;
    active.offReadable = reader.onReadable(() => {
      if (this.active !== active) return;
      const { data } = reader.take();
      if (data.length > 0) this.apply(session.fromHost(data));
    });
    this.deps.log?.info(`SOL activated by ${a.label} (session ${a.sessionId.toString(16)})`);
    return true;
  }

  /** Deactivate Payload, or the session closed: false when it was not active (80h). */
  deactivate(sessionId?: number, reason = "deactivated"): boolean {
    const a = this.active;
    if (!a || (sessionId !== undefined && a.sessionId !== sessionId)) return false;
    this.active = undefined;
    if (a.timer) clearTimeout(a.timer);
    a.offReadable();
    // The last packet tells the console SOL is deactivating (table 15-3 bit 5).
    const last = a.session.close();
    for (const p of last.toConsole) a.link.send(encodeBmcPacket(p));
    a.reader.close();
    this.deps.console.detach(a.owner);
    this.deps.log?.info(`SOL of session ${a.sessionId.toString(16)} ${reason}`);
    return true;
  }

  /** A SOL packet from the console of `sessionId` (already opened and checked by the LAN bus). */
  fromConsole(sessionId: number, payload: Uint8Array): void {
    const a = this.active;
    if (!a || a.sessionId !== sessionId) return;
    let packet: ReturnType<typeof decodeConsolePacket>;
    try {
      packet = decodeConsolePacket(payload);
    } catch (err) {
      if (err instanceof SolPacketError) {
        this.deps.log?.warn(`SOL packet from session ${sessionId.toString(16)} refused: ${err.message}`);
        return;
      }
      throw err;
    }
    this.apply(a.session.fromConsole(packet));
  }

  private apply(output: {
    toConsole: SolBmcPacket[];
    toHost: Uint8Array[];
    events: { kind: string }[];
  }): void {
    const a = this.active;
    if (!a) return;
    for (const bytes of output.toHost) this.deps.console.write(a.owner, bytes);
    if (output.events.some((e) => e.kind === "break")) this.sendBreak(a.sessionId, a.owner);
    for (const p of output.toConsole) a.link.send(encodeBmcPacket(p));
    if (output.events.some((e) => e.kind === "console-lost")) {
      this.deactivate(a.sessionId, "ended: the console stopped acknowledging");
      return;
    }
    this.schedule();
  }

  /** The console's "generate break" (table 15-2) on the host's line, where its transport has one. */
  private sendBreak(sessionId: number, owner: ConsoleOwner): void {
    void this.deps.console.sendBreak(owner).then((r) => {
      const who = `SOL session ${sessionId.toString(16)}`;
      if (r.ok) this.deps.log?.info(`${who}: break sent to the host's serial line`);
      else if (r.reason === "unsupported")
        this.deps.log?.warn(`${who}: break not sent: this serial transport carries bytes only (no break)`);
      else this.deps.log?.warn(`${who}: break not sent: ${r.reason}`);
    });
  }

  /** The session's next deadline (accumulation, a resend) as a timer. */
  private schedule(): void {
    const a = this.active;
    if (!a) return;
    if (a.timer) clearTimeout(a.timer);
    a.timer = undefined;
    const due = a.session.nextDeadline();
    if (due === undefined) return;
    a.timer = setTimeout(
      () => {
        if (this.active !== a) return;
        a.timer = undefined;
        this.apply(a.session.tick());
      },
      Math.max(0, Math.ceil(due - this.now())),
    );
  }
}
