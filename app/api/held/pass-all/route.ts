import { dispatchControl, outcomeResponse, targetNodeOf } from "@/server/control/control-actions";
import { handle, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** POST /api/held/pass-all [?node=c] */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const node = targetNodeOf(request);
    return outcomeResponse(await dispatchControl(services(), { kind: "held.pass-all" }, by, node));
  });
}
