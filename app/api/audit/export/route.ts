import { auditExportQuery } from "@/server/contract/control";
import {
  download,
  HttpError,
  handle,
  operatorOf,
  parseWith,
  searchParams,
  services,
} from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const q = parseWith(auditExportQuery, searchParams(request), "query");
    const s = services();
    const refused = await s.historyRefusal(q);
    if (refused) throw new HttpError(refused.status, refused.error);
    await s.audit.record({ actor: by.username, action: "audit.export", detail: q });
    return download(s.exportAudit(q), q.format, "bmc-audit");
  });
}
