/**
 * The REST calls of the held-request queue. `node`: another fleet node, whose queue is read
 * and acted on over the fleet (held ids are per node); absent: this node.
 */
import { requestJson } from "@/components/api";
import { withTarget } from "@/components/fleet/nodeChoice";
import type { HeldRequestDto } from "@/server/contract/control";
import type { ExchangeDto } from "@/server/contract/exchange";

export async function fetchHeld(signal?: AbortSignal, node?: string): Promise<HeldRequestDto[]> {
  return (await requestJson<{ held: HeldRequestDto[] }>(withTarget("/api/held", node), { signal })).held;
}

/** Answers with exactly these bytes (`data` as hex text). 409 when someone was first. */
export async function answerHeld(id: number, cc: number, data: string, node?: string): Promise<ExchangeDto> {
  return (
    await requestJson<{ exchange: ExchangeDto }>(withTarget(`/api/held/${id}/answer`, node), {
      method: "POST",
      body: { cc, data },
    })
  ).exchange;
}

export async function passHeld(id: number, node?: string): Promise<ExchangeDto> {
  return (
    await requestJson<{ exchange: ExchangeDto }>(withTarget(`/api/held/${id}/pass`, node), { method: "POST" })
  ).exchange;
}

export async function dropHeld(id: number, node?: string): Promise<ExchangeDto> {
  return (
    await requestJson<{ exchange: ExchangeDto }>(withTarget(`/api/held/${id}/drop`, node), { method: "POST" })
  ).exchange;
}

export async function passAllHeld(node?: string): Promise<number> {
  return (await requestJson<{ passed: number }>(withTarget("/api/held/pass-all", node), { method: "POST" }))
    .passed;
}
