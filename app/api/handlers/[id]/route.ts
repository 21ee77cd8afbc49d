import { handlerIdParam, patchHandlerBody } from "@/server/contract/api";
import { HttpError, handle, jsonBody, operatorOf, parseWith, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function PATCH(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const id = parseWith(handlerIdParam, (await context.params).id, "handler id");
    const body = parseWith(patchHandlerBody, await jsonBody(request), "body");
    const s = services();
    const updated = await s.setHandlerEnabled(id, body.enabled);
    if (!updated) throw new HttpError(404, `no handler with id '${id}'`);
    await s.audit.record({
      actor: by.username,
      action: body.enabled ? "handler.enable" : "handler.disable",
      target: id,
    });
    return Response.json(updated);
  });
}
