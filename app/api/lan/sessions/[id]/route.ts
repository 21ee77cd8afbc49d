import { lanSessionIdParam } from "@/server/http/lan-routes";
import { HttpError, handle, operatorOf, services } from "@/server/http/route-helpers";
import { hexN } from "@/server/ipmi/layout/format";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/** Closes an open LAN session; the console's next packet finds none. */
export function DELETE(request: Request, context: Context): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const id = lanSessionIdParam((await context.params).id);
    const s = services();
    // Who it was, for the audit entry: the session is gone once closed.
    const session = s.lan.sessions().sessions.find((x) => x.id === id);
    if (!s.lan.closeSession(id, `closed by operator ${by.username} from the dashboard`)) {
      throw new HttpError(404, `no open LAN session with ID ${hexN(id, 8)}`);
    }
    await s.audit.record({
      actor: by.username,
      action: "lan.session.close",
      target: hexN(id, 8),
      detail: session
        ? { user: session.user, userId: session.userId, peer: session.peer, privilege: session.privilege }
        : { user: null, peer: null },
    });
    return new Response(null, { status: 204 });
  });
}
