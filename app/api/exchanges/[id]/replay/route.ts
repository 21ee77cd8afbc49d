import { dispatchControl, outcomeResponse, targetNodeOf } from "@/server/control/control-actions";
import { handle, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/**
 * Sends a logged exchange's request again, on its bus, marked as a replay
 * [?node=c: c's exchange of that id, replayed on c].
 */
export function POST(request: Request, context: { params: Promise<{ id: string }> }): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const node = targetNodeOf(request);
    const id = (await context.params).id;
    return outcomeResponse(await dispatchControl(services(), { kind: "exchange.replay", id }, by, node));
  });
}
