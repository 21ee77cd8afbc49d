import { ipmiUserPatchSchema } from "@/server/contract/lan";
import { auditedUserChange, ipmiUserIdParam } from "@/server/http/lan-routes";
import { HttpError, handle, jsonBody, operatorOf, parseWith, services } from "@/server/http/route-helpers";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ id: string }> };

/** Renames, enables or disables an IPMI user, sets its password or a channel's privilege limit. */
export function PATCH(request: Request, context: Context): Promise<Response> {
  return handle(async () => {
    const by = operatorOf(request);
    const id = ipmiUserIdParam((await context.params).id);
    const patch = parseWith(ipmiUserPatchSchema, await jsonBody(request), "body");
    const s = services();
    const result = s.lan.updateUser(id, patch);
    if (result === null) throw new HttpError(404, `no IPMI user with ID ${id}`);
    if ("error" in result) throw new HttpError(400, result.error);
    await s.audit.record({
      actor: by.username,
      action: "ipmi-user.update",
      target: String(id),
      detail: auditedUserChange(patch),
    });
    return Response.json(result);
  });
}
