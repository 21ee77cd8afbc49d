import { consoleHistoryQuery } from "@/server/contract/console";
import { handle, parseWith, searchParams, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** The host console's recorded history, newest first (server/console/history.ts). */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const query = parseWith(consoleHistoryQuery, searchParams(request), "query");
    return Response.json(await services().consoleHistory(query));
  });
}
