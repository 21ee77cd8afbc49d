import { newRuleBody } from "@/server/contract/control";
import { handle, jsonBody, operatorOf, parseWith, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(): Promise<Response> {
  return handle(() => Response.json({ rules: services().rules.list() }));
}

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const body = parseWith(newRuleBody, await jsonBody(request), "body");
    const s = services();
    const rule = await s.rules.create(body);
    await s.audit.record({
      actor: by.username,
      action: "rule.create",
      target: String(rule.id),
      detail: rule,
    });
    return Response.json(rule, { status: 201 });
  });
}
