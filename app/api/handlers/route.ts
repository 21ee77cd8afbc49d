import type { HandlersResponse } from "@/server/contract/api";
import { handle, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function GET(): Promise<Response> {
  return handle(() => {
    const body: HandlersResponse = { handlers: services().listHandlers() };
    return Response.json(body);
  });
}
