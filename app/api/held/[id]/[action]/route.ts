import { answerHeldBody } from "@/server/contract/control";
import { toExchangeDto } from "@/server/contract/exchange";
import type { HoldActionResult } from "@/server/control/hold-queue";
import {
  HttpError,
  handle,
  idParam,
  jsonBody,
  operatorOf,
  parseWith,
  services,
} from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** POST /api/held/:id/answer {cc, data} | /api/held/:id/pass | /api/held/:id/drop */
export function POST(
  request: Request,
  context: { params: Promise<{ id: string; action: string }> },
): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const params = await context.params;
    const id = idParam(params.id, "held request id");
    const { holds, audit } = services();
    let result: HoldActionResult;
    let detail: unknown;
    switch (params.action) {
      case "answer": {
        const body = parseWith(answerHeldBody, await jsonBody(request), "body");
        detail = body;
        result = await holds.answer(id, body.cc, body.data, by.username);
        break;
      }
      case "pass":
        result = await holds.pass(id, by.username);
        break;
      case "drop":
        result = await holds.drop(id, by.username);
        break;
      default:
        throw new HttpError(404, `no action '${params.action}' (answer, pass, drop)`);
    }
    if (!result.ok) {
      if (result.reason === "already") throw new HttpError(409, `held request ${id} was already answered`);
      throw new HttpError(404, `no held request ${id}`);
    }
    await audit.record({ actor: by.username, action: `held.${params.action}`, target: String(id), detail });
    return Response.json({ exchange: toExchangeDto(result.exchange) });
  });
}
