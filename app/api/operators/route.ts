import { newOperatorBody } from "@/server/contract/control";
import { HttpError, handle, jsonBody, operatorOf, parseWith, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const body = parseWith(newOperatorBody, await jsonBody(request), "body");
    const s = services();
    const created = await s.auth.createOperator(body);
    if (created === "exists") throw new HttpError(409, `an operator named '${body.username}' exists`);
    await s.audit.record({
      actor: by.username,
      action: "operator.create",
      target: body.username,
      detail: { role: body.role },
    });
    return Response.json(created, { status: 201 });
  });
}
