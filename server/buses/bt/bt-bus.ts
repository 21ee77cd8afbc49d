/** A BT interface as the router sees it: a transport plus the BT frame codec. */
import type { Bus, BusPort, BusResponse, SendResult } from "../../router/types";
import { BT_MAX_RESPONSE_DATA, decodeBtRequest, encodeBtResponse } from "./bt-codec";
import type { BtTransport } from "./transport";

/** Time left for the answer to reach the host after a hold ends. */
const HOLD_MARGIN_MS = 500;

export class BtBus implements Bus {
  readonly kind = "bt" as const;
  readonly maxResponseData = BT_MAX_RESPONSE_DATA;
  private port: BusPort | undefined;
  private running = false;

  constructor(
    readonly id: string,
    private readonly transport: BtTransport,
  ) {
    transport.onFrame((frame) => this.receive(frame));
    transport.onWritable(() => this.port?.ready());
  }

  get description(): string {
    return `BT, ${this.transport.description}`;
  }

  get hostTimeoutMs(): number | undefined {
    return this.transport.hostTimeoutMs;
  }

  /** A request may be held for an operator until shortly before its host gives up. */
  get holdDeadlineMs(): number | undefined {
    const host = this.transport.hostTimeoutMs;
    return host === undefined ? undefined : Math.max(100, host - HOLD_MARGIN_MS);
  }

  attach(port: BusPort): void {
    this.port = port;
  }

  send(res: BusResponse): SendResult {
    return this.transport.write(
      encodeBtResponse({
        netFn: res.netFn,
        lun: res.lun,
        seq: res.seq ?? 0,
        cmd: res.cmd,
        cc: res.cc,
        data: res.data,
      }),
    );
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

  private receive(frame: Uint8Array): void {
    const port = this.port;
    if (!port) return;
    const decoded = decodeBtRequest(frame);
    if (!decoded.ok) {
      port.malformed(decoded.malformed);
      return;
    }
    const { netFn, lun, seq, cmd, data } = decoded.message;
    // The frame is the transport's own copy (sim-host, device-transport): kept as it is for the log.
    port.request({ seq, netFn, lun, cmd, data, frame });
  }
}
