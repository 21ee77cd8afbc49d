import { handle, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

/**
 * What the BMC holds for the host's system software: the event message buffer and the
 * receive message queue with their bytes and enqueue times, the message flags and global
 * enables (server/contract/queues.ts). Read-only; viewers may read it (access-policy.ts).
 */
export function GET(): Promise<Response> {
  return handle(() => Response.json(services().messageQueues()));
}
