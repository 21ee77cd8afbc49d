import { exchangesQuery } from "@/server/contract/api";
import {
  checkFilter,
  HttpError,
  handle,
  parseWith,
  searchParams,
  services,
} from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const query = parseWith(exchangesQuery, searchParams(request), "query");
    checkFilter(query.filter);
    const s = services();
    const refused = await s.historyRefusal(query);
    if (refused) throw new HttpError(refused.status, refused.error);
    return Response.json(await s.exchangesPage(query));
  });
}
