import { handle, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** The LAN channel's open sessions, its limits and the profile's security warnings. */
export function GET(): Promise<Response> {
  return handle(() => Response.json(services().lan.sessions()));
}
