import { consoleExportQuery } from "@/server/contract/console";
import { download, handle, operatorOf, parseWith, searchParams, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** The host's output as plain text (or every chunk both ways as NDJSON), streamed. */
export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const query = parseWith(consoleExportQuery, searchParams(request), "query");
    const s = services();
    await s.audit.record({ actor: by.username, action: "console.export", detail: query });
    return download(s.exportConsole(query), query.format, "host-console");
  });
}
