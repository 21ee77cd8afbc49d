import { type InjectResponse, injectBody } from "@/server/contract/control";
import { toExchangeDto } from "@/server/contract/exchange";
import { HttpError, handle, jsonBody, operatorOf, parseWith, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** Routes a request as if the host on `bus` sent it; answers with its exchange once the response is known. */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const body = parseWith(injectBody, await jsonBody(request), "body");
    const s = services();
    const x = await s.inject(body);
    if (!x) throw new HttpError(404, `no bus '${body.bus}'`);
    await s.audit.record({
      actor: by.username,
      action: "request.inject",
      target: body.bus,
      detail: { netFn: body.netFn, cmd: body.cmd, data: body.data, exchangeId: x.id, cc: x.cc },
    });
    const response: InjectResponse = { exchange: toExchangeDto(x) };
    return Response.json(response);
  });
}
