import { handle, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(): Promise<Response> {
  return handle(async () => Response.json(await services().health()));
}
