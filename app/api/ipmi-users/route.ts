import { handle, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** The BMC's IPMI users, IDs 1-16 (never their passwords). */
export function GET(): Promise<Response> {
  return handle(() => Response.json(services().lan.users()));
}
