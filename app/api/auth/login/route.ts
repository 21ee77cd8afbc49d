import { loginBody } from "@/server/contract/control";
import { clientOf, handle, jsonBody, parseWith, services, sessionCookie } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const body = parseWith(loginBody, await jsonBody(request), "body");
    const s = services();
    const result = await s.auth.login(body.username, body.password, clientOf(request));
    if (!result.ok) {
      if (result.status === 429) {
        const seconds = Math.ceil((result.retryAfterMs ?? 1000) / 1000);
        return Response.json(
          { error: `too many failed sign-ins; try again in ${seconds} s` },
          { status: 429, headers: { "retry-after": String(seconds) } },
        );
      }
      await s.audit.record({
        actor: body.username,
        action: "auth.login-failed",
        detail: { client: clientOf(request) },
      });
      return Response.json({ error: "wrong user name or password" }, { status: 401 });
    }
    await s.audit.record({ actor: result.operator.username, action: "auth.login" });
    return Response.json(
      { operator: result.operator },
      { headers: { "set-cookie": sessionCookie(request, result.token) } },
    );
  });
}
