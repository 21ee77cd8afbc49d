/** Injecting a request as if from the host, and replaying a logged one. */
import { requestJson } from "@/components/api";
import type { InjectResponse } from "@/server/contract/control";
import type { ExchangeDto } from "@/server/contract/exchange";

export interface InjectRequest {
  bus: string;
  netFn: number;
  lun: number;
  cmd: number;
  /** Hex text. */
  data: string;
}

/** Resolves once the request was answered (or not): the exchange record. */
export async function inject(body: InjectRequest): Promise<ExchangeDto> {
  return (await requestJson<InjectResponse>("/api/inject", { method: "POST", body })).exchange;
}

export async function replay(id: number): Promise<ExchangeDto> {
  return (await requestJson<InjectResponse>(`/api/exchanges/${id}/replay`, { method: "POST" })).exchange;
}
