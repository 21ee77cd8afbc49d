import { dispatchControl, outcomeResponse, targetNodeOf } from "@/server/control/control-actions";
import { handle, jsonBody, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** PATCH /api/handlers/:id {enabled} [?node=c: on that node of the fleet] */
export function PATCH(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const node = targetNodeOf(request);
    const id = (await context.params).id;
    const body = await jsonBody(request);
    return outcomeResponse(await dispatchControl(services(), { kind: "handler.set", id, body }, by, node));
  });
}
