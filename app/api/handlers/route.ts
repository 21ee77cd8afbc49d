import type { HandlersResponse } from "@/server/contract/api";
import { dispatchControl, outcomeResponse, targetNodeOf } from "@/server/control/control-actions";
import { handle, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** GET /api/handlers [?node=c: that node's, over the fleet] */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const node = targetNodeOf(request);
    if (node !== undefined) {
      const command = { kind: "handler.list" } as const;
      return outcomeResponse(await dispatchControl(services(), command, operatorOf(request), node));
    }
    const body: HandlersResponse = { handlers: services().listHandlers() };
    return Response.json(body);
  });
}
