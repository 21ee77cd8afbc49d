import { handle, operatorOf, services, sessionCookie, sessionToken } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** Ends the session: the cookie is cleared and the session's live streams are closed. */
export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const s = services();
    await s.auth.logout(sessionToken(request));
    await s.audit.record({ actor: by.username, action: "auth.logout" });
    return new Response(null, { status: 204, headers: { "set-cookie": sessionCookie(request, null) } });
  });
}
