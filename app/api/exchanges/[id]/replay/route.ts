import type { InjectResponse } from "@/server/contract/control";
import { toExchangeDto } from "@/server/contract/exchange";
import { HttpError, handle, idParam, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** Sends a logged exchange's request again, on its bus, marked as a replay. */
export function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const id = idParam((await context.params).id, "exchange id");
    const s = services();
    const x = await s.replay(id);
    if (x === "no-exchange") throw new HttpError(404, `no exchange #${id} with a request to replay`);
    if (x === "no-bus") throw new HttpError(409, `exchange #${id}'s bus is gone`);
    await s.audit.record({
      actor: by.username,
      action: "exchange.replay",
      target: String(id),
      detail: { exchangeId: x.id },
    });
    const response: InjectResponse = { exchange: toExchangeDto(x) };
    return Response.json(response);
  });
}
