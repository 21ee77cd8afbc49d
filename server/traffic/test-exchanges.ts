/** Exchange records for tests and the measurement script. */
import type { Exchange } from "../contract/exchange";

export const BASE_TIME = Date.UTC(2026, 10, 23, 12, 0, 0);

/** A plausible answered Get Device ID on bus "bt0"; `overrides` replace fields. */
export function makeExchange(id: number, overrides: Partial<Exchange> = {}): Exchange {
  const receivedAt = BASE_TIME + id * 10 + 0.25;
  return {
    id,
    busId: "bt0",
    busKind: "bt",
    origin: "host",
    seq: id & 0xff,
    netFn: 0x06,
    lun: 0,
    cmd: 0x01,
    request: new Uint8Array(0),
    cc: 0x00,
    response: Uint8Array.of(0x20, 0x81, 0x02, 0x03, 0x02, 0xbf, 0x57, 0x01, 0x00, 0x34, 0x12, 0, 0, 0, 0),
    handlerId: "app.get-device-id",
    status: "ok",
    receivedAt,
    answeredAt: receivedAt + 0.5,
    latencyUs: 500,
    note: null,
    frame: null,
    responseFrame: null,
    relatedId: null,
    ruleId: null,
    payload: null,
    peer: null,
    user: null,
    privilege: null,
    sessionId: null,
    ...overrides,
  };
}

/** ids from..to inclusive. */
export function makeExchanges(
  from: number,
  to: number,
  overrides: (id: number) => Partial<Exchange> = () => ({}),
) {
  const out: Exchange[] = [];
  for (let id = from; id <= to; id++) out.push(makeExchange(id, overrides(id)));
  return out;
}
