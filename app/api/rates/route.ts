import { handle, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/** Exchanges/s and error rate per bus (the last 5 minutes), per handler counts and p50/p99 latency. */
export function GET(): Promise<Response> {
  return handle(() => Response.json(services().rates()));
}
