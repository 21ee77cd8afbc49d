import { exportQuery } from "@/server/contract/api";
import {
  checkFilter,
  download,
  HttpError,
  handle,
  operatorOf,
  parseWith,
  searchParams,
  services,
} from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** Streams the log: the body is produced page by page as the client reads it. */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const query = parseWith(exportQuery, searchParams(request), "query");
    checkFilter(query.filter);
    const s = services();
    const refused = await s.historyRefusal(query);
    if (refused) throw new HttpError(refused.status, refused.error);
    await s.audit.record({ actor: by.username, action: "exchanges.export", detail: query });
    return download(s.exportExchanges(query), query.format, "ipmi-exchanges");
  });
}
