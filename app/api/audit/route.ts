import { auditQuery } from "@/server/contract/control";
import { handle, parseWith, searchParams, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const q = parseWith(auditQuery, searchParams(request), "query");
    return Response.json(await services().audit.page(q.limit, q.before));
  });
}
