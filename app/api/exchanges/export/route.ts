import { exportQuery } from "@/server/contract/api";
import { handle, parseWith, searchParams, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

const TYPES = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson; charset=utf-8" } as const;

/** Streams the log: the body is produced page by page as the client reads it. */
export function GET(request: Request): Promise<Response> {
  return handle(() => {
    const query = parseWith(exportQuery, searchParams(request), "query");
    const chunks = services().exportExchanges(query)[Symbol.asyncIterator]();
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const { value, done } = await chunks.next();
          if (done) controller.close();
          else controller.enqueue(encoder.encode(value));
        } catch (err) {
          controller.error(err);
        }
      },
      async cancel() {
        await chunks.return?.();
      },
    });
    const stamp = new Date().toISOString().replace(/[:.]/g, "-");
    return new Response(body, {
      headers: {
        "content-type": TYPES[query.format],
        "content-disposition": `attachment; filename="ipmi-exchanges-${stamp}.${query.format}"`,
        "cache-control": "no-store",
      },
    });
  });
}
