import type { SessionResponse } from "@/server/contract/control";
import { handle, services, sessionToken } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const { auth } = services();
    const signedIn = await auth.resolve(sessionToken(request));
    const body: SessionResponse = {
      operator: signedIn && { id: signedIn.id, username: signedIn.username, role: signedIn.role },
      setupNeeded: await auth.setupNeeded(),
    };
    return Response.json(body);
  });
}
