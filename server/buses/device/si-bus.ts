/**
 * A system interface whose device delivers the message form without a sequence number
 * (KCS, SSIF; ../kcs/kcs-codec.ts) as the router sees it: a transport plus the framing.
 * One request at a time: the key the transport gave a request rides in BusRequest.tag and
 * comes back with the response, so a stale answer is recognised and not sent.
 */
import type { Bus, BusPort, BusResponse, SendResult } from "../../router/types";
import type { SiDecoded, SiMessage, SiResponseMessage } from "../kcs/kcs-codec";
import type { SiTransport } from "./si-device-transport";

/** Time left for the answer to reach the host after a hold ends (as BtBus). */
const HOLD_MARGIN_MS = 500;
/** A hold never ends sooner than this. */
const MIN_HOLD_MS = 100;

export interface SiFraming {
  kind: "kcs" | "ssif";
  /** "KCS", "SSIF": starts the description. */
  label: string;
  maxResponseData: number;
  decode(frame: Uint8Array): SiDecoded<SiMessage>;
  encode(res: SiResponseMessage): Uint8Array;
}

export class SystemInterfaceBus implements Bus {
  readonly kind: "kcs" | "ssif";
  readonly maxResponseData: number;
  private port: BusPort | undefined;
  private running = false;

  constructor(
    readonly id: string,
    private readonly framing: SiFraming,
    private readonly transport: SiTransport,
  ) {
    this.kind = framing.kind;
    this.maxResponseData = framing.maxResponseData;
    transport.onMessage((frame, key) => this.receive(frame, key));
    transport.onWritable(() => this.port?.ready());
  }

  get description(): string {
    return `${this.framing.label}, ${this.transport.description}`;
  }

  get hostTimeoutMs(): number | undefined {
    return this.transport.hostTimeoutMs;
  }

  /** A request may be held for an operator until shortly before its host gives up. */
  get holdDeadlineMs(): number | undefined {
    const host = this.transport.hostTimeoutMs;
    return host === undefined ? undefined : Math.max(MIN_HOLD_MS, host - HOLD_MARGIN_MS);
  }

  attach(port: BusPort): void {
    this.port = port;
  }

  send(res: BusResponse): SendResult {
    const frame = this.framing.encode({
      netFn: res.netFn,
      lun: res.lun,
      cmd: res.cmd,
      cc: res.cc,
      data: res.data,
    });
    return this.transport.write(frame, typeof res.tag === "number" ? res.tag : undefined);
  }

  get state(): "up" | "down" {
    return this.running ? "up" : "down";
  }

  async start(): Promise<void> {
    await this.transport.open();
    this.running = true;
  }

  stop(): Promise<void> {
    this.running = false;
    return this.transport.close();
  }

  private receive(frame: Uint8Array, key: number): void {
    const port = this.port;
    if (!port) return;
    const decoded = this.framing.decode(frame);
    if (!decoded.ok) {
      const m = decoded.malformed;
      // The key goes with the answer, so the transport can tell it from a stale one.
      port.malformed(m.reply ? { ...m, reply: { ...m.reply, tag: key } } : m);
      return;
    }
    const { netFn, lun, cmd, data } = decoded.message;
    // The frame is the transport's own copy: kept as it is for the log.
    port.request({ seq: null, netFn, lun, cmd, data, frame, tag: key });
  }
}
