import { patchRuleBody } from "@/server/contract/control";
import {
  HttpError,
  handle,
  idParam,
  jsonBody,
  operatorOf,
  parseWith,
  services,
} from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

export function PATCH(request: Request, context: Context): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const id = idParam((await context.params).id, "rule id");
    const body = parseWith(patchRuleBody, await jsonBody(request), "body");
    const s = services();
    const rule = await s.rules.update(id, body);
    if (!rule) throw new HttpError(404, `no rule #${id}`);
    await s.audit.record({ actor: by.username, action: "rule.change", target: String(id), detail: body });
    return Response.json(rule);
  });
}

export function DELETE(request: Request, context: Context): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const id = idParam((await context.params).id, "rule id");
    const s = services();
    const rule = s.rules.get(id);
    if (!rule || !(await s.rules.remove(id))) throw new HttpError(404, `no rule #${id}`);
    await s.audit.record({
      actor: by.username,
      action: "rule.delete",
      target: String(id),
      detail: { name: rule.name },
    });
    return new Response(null, { status: 204 });
  });
}
