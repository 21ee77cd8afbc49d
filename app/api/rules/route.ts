import { dispatchControl, outcomeResponse, targetNodeOf } from "@/server/control/control-actions";
import { handle, jsonBody, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** GET /api/rules [?node=c: that node's, over the fleet] */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const node = targetNodeOf(request);
    if (node !== undefined) {
      const command = { kind: "rule.list" } as const;
      return outcomeResponse(await dispatchControl(services(), command, operatorOf(request), node));
    }
    return Response.json({ rules: services().rules.list() });
  });
}

/** POST /api/rules {name, match, action} [?node=c: on that node of the fleet] */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const node = targetNodeOf(request);
    const body = await jsonBody(request);
    return outcomeResponse(await dispatchControl(services(), { kind: "rule.create", body }, by, node));
  });
}
