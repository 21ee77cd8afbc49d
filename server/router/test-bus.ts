/**
 * A bus for the router's unit tests: requests are pushed in by the test, responses
 * are collected, and "busy" can be switched on to hold the hardware like a BT
 * interface that has not been read yet.
 */
import type { Bus, BusKind, BusPort, BusRequest, BusResponse, SendResult } from "./types";

export class TestBus implements Bus {
  readonly description = "test bus";
  readonly sent: BusResponse[] = [];
  busy = false;
  port: BusPort | undefined;

  constructor(
    readonly id = "test0",
    readonly kind: BusKind = "bt",
    readonly maxResponseData?: number,
    readonly hostTimeoutMs?: number,
  ) {}

  attach(port: BusPort): void {
    this.port = port;
  }

  send(res: BusResponse): SendResult {
    if (this.busy) return "busy";
    this.sent.push(res);
    return "sent";
  }

  request(req: Partial<BusRequest> & { netFn: number; cmd: number }): void {
    this.port!.request({ seq: this.sent.length, lun: 0, data: new Uint8Array(0), ...req });
  }

  /** The host read the response register. */
  release(): void {
    this.busy = false;
    this.port!.ready();
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
