import { handle, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** The fleet as this node sees it; any signed-in operator or viewer (the gate's GET rule). */
export function GET(): Promise<Response> {
  return handle(async () => Response.json(await services().fleet()));
}
