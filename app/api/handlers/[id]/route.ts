import { handlerIdParam, patchHandlerBody } from "@/server/contract/api";
import {
  HttpError,
  handle,
  jsonBody,
  parseWith,
  requireSameOrigin,
  services,
} from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function PATCH(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(async () => {
    requireSameOrigin(request);
    const id = parseWith(handlerIdParam, (await context.params).id, "handler id");
    const body = parseWith(patchHandlerBody, await jsonBody(request), "body");
    const updated = await services().setHandlerEnabled(id, body.enabled);
    if (!updated) throw new HttpError(404, `no handler with id '${id}'`);
    return Response.json(updated);
  });
}
