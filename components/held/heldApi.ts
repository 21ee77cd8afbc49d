/** The REST calls of the held-request queue. */
import { requestJson } from "@/components/api";
import type { HeldRequestDto } from "@/server/contract/control";
import type { ExchangeDto } from "@/server/contract/exchange";

export async function fetchHeld(signal?: AbortSignal): Promise<HeldRequestDto[]> {
  return (await requestJson<{ held: HeldRequestDto[] }>("/api/held", { signal })).held;
}

/** Answers with exactly these bytes (`data` as hex text). 409 when someone was first. */
export async function answerHeld(id: number, cc: number, data: string): Promise<ExchangeDto> {
  return (
    await requestJson<{ exchange: ExchangeDto }>(`/api/held/${id}/answer`, {
      method: "POST",
      body: { cc, data },
    })
  ).exchange;
}

export async function passHeld(id: number): Promise<ExchangeDto> {
  return (await requestJson<{ exchange: ExchangeDto }>(`/api/held/${id}/pass`, { method: "POST" })).exchange;
}

export async function dropHeld(id: number): Promise<ExchangeDto> {
  return (await requestJson<{ exchange: ExchangeDto }>(`/api/held/${id}/drop`, { method: "POST" })).exchange;
}

export async function passAllHeld(): Promise<number> {
  return (await requestJson<{ passed: number }>("/api/held/pass-all", { method: "POST" })).passed;
}
