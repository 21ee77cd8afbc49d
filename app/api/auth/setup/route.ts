import { newOperatorBody } from "@/server/contract/control";
import { HttpError, handle, jsonBody, parseWith, services, sessionCookie } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** Creates the first admin; refused (409) once any operator exists. */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const body = parseWith(newOperatorBody.omit({ role: true }), await jsonBody(request), "body");
    const s = services();
    const signedIn = await s.auth.setup(body);
    if (!signedIn) throw new HttpError(409, "the console is already set up; sign in instead");
    await s.audit.record({ actor: signedIn.operator.username, action: "auth.setup" });
    return Response.json(
      { operator: signedIn.operator },
      { status: 201, headers: { "set-cookie": sessionCookie(request, signedIn.token) } },
    );
  });
}
