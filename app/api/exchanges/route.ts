import { exchangesQuery } from "@/server/contract/api";
import { handle, parseWith, searchParams, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const query = parseWith(exchangesQuery, searchParams(request), "query");
    return Response.json(await services().exchangesPage(query));
  });
}
