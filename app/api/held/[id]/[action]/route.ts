import { dispatchControl, outcomeResponse, targetNodeOf } from "@/server/control/control-actions";
import { handle, jsonBody, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** POST /api/held/:id/answer {cc, data} | /api/held/:id/pass | /api/held/:id/drop [?node=c] */
export function POST(
  request: Request,
  context: { params: Promise<{ id: string; action: string }> },
): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const node = targetNodeOf(request);
    const { id, action } = await context.params;
    const body = action === "answer" ? await jsonBody(request) : undefined;
    return outcomeResponse(
      await dispatchControl(services(), { kind: "held.action", id, action, body }, by, node),
    );
  });
}
