import { auditQuery } from "@/server/contract/control";
import { HttpError, handle, parseWith, searchParams, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const q = parseWith(auditQuery, searchParams(request), "query");
    const s = services();
    const refused = await s.historyRefusal(q);
    if (refused) throw new HttpError(refused.status, refused.error);
    return Response.json(await s.auditPage(q));
  });
}
