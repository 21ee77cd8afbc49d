import { dispatchControl, outcomeResponse, targetNodeOf } from "@/server/control/control-actions";
import { handle, jsonBody, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/** PATCH /api/rules/:id [?node=c] */
export function PATCH(request: Request, context: Context): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const node = targetNodeOf(request);
    const id = (await context.params).id;
    const body = await jsonBody(request);
    return outcomeResponse(await dispatchControl(services(), { kind: "rule.update", id, body }, by, node));
  });
}

/** DELETE /api/rules/:id [?node=c] */
export function DELETE(request: Request, context: Context): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const node = targetNodeOf(request);
    const id = (await context.params).id;
    return outcomeResponse(await dispatchControl(services(), { kind: "rule.delete", id }, by, node));
  });
}
