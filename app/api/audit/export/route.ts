import { auditExportQuery } from "@/server/contract/control";
import { download, handle, operatorOf, parseWith, searchParams, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const q = parseWith(auditExportQuery, searchParams(request), "query");
    const { audit } = services();
    await audit.record({ actor: by.username, action: "audit.export", detail: q });
    return download(audit.export(q.format), q.format, "bmc-audit");
  });
}
