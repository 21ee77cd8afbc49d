import { exchangesQuery } from "@/server/contract/api";
import { checkFilter, handle, parseWith, searchParams, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const query = parseWith(exchangesQuery, searchParams(request), "query");
    checkFilter(query.filter);
    return Response.json(await services().exchangesPage(query));
  });
}
