import { handle, operatorOf, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

export function POST(request: Request): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const { holds, audit } = services();
    const passed = await holds.passAll(by.username);
    await audit.record({ actor: by.username, action: "held.pass-all", detail: { passed } });
    return Response.json({ passed });
  });
}
