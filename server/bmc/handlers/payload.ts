/**
 * The RMCP+ payload commands for SOL (IPMI 2.0 section 24): Activate Payload (06h/48h),
 * Deactivate Payload (49h), Get Payload Activation Status (4Ah), Get Payload Instance Info
 * (4Bh). They need the session that asks (its id, user, address and privilege) and the
 * LAN bus that carries SOL packets for it, so they are built with those (runtime.ts), not
 * with the rest of the BMC's handlers.
 */
import {
  activatePayload,
  deactivatePayload,
  getPayloadActivationStatus,
  getPayloadInstanceInfo,
} from "../../ipmi/commands/app";
import { PRIVILEGE_ORDER } from "../../ipmi/commands/define";
import { CC } from "../../ipmi/completion-codes";
import { IpmiError } from "../../ipmi/ipmi-error";
import { PAYLOAD_TYPE } from "../../ipmi/lan/rmcp-plus";
import { ACTIVATE_PAYLOAD_CC, DEACTIVATE_PAYLOAD_CC } from "../../ipmi/sol/payload-messages";
import { handlerFor } from "../../router/handler";
import type { HandlerSpec, Requester } from "../../router/types";
import { SOL_PAYLOAD_SIZE, type SolLink, type SolPayloads } from "../sol/sol-payloads";
import type { SolConfig } from "../sol-config";

export interface PayloadHandlerDeps {
  sol: SolPayloads;
  config: SolConfig;
  /** The SOL link of an RMCP+ session (LanBus.solLink); undefined without a LAN bus or session. */
  link: (sessionId: number) => SolLink | undefined;
}

/** Table 24-2 byte 1 bits 5:0 and byte 2 bits 3:0: SOL, instance 1 is all this BMC has. */
function solInstance(payload: { type: number }, instance: number): void {
  if (payload.type !== PAYLOAD_TYPE.SOL)
    throw new IpmiError(
      CC.INVALID_DATA_FIELD,
      `payload type ${payload.type} cannot be activated here (SOL only)`,
    );
  if (instance !== 1) throw new IpmiError(CC.INVALID_DATA_FIELD, `SOL has one instance (1), not ${instance}`);
}

function sessionOf(requester: Requester | null): Requester & { sessionId: number } {
  if (!requester || requester.sessionId === 0)
    throw new IpmiError(CC.NOT_SUPPORTED_IN_STATE, "payloads are activated from an RMCP+ session");
  return requester;
}

export function payloadHandlers(deps: PayloadHandlerDeps): HandlerSpec[] {
  const { sol, config } = deps;
  return [
    handlerFor(activatePayload, {
      handle: ({ request, requester }) => {
        const who = sessionOf(requester);
        solInstance(request.payload, request.instance.instance);
        if (!config.enabled)
          throw new IpmiError(ACTIVATE_PAYLOAD_CC.TYPE_DISABLED, "SOL is disabled (parameter 1)");
        // The command itself needs only callback; SOL its own level (parameter 2, 26.2).
        if (PRIVILEGE_ORDER.indexOf(who.privilege) < PRIVILEGE_ORDER.indexOf(config.privilege))
          throw new IpmiError(
            CC.INSUFFICIENT_PRIVILEGE,
            `SOL needs ${config.privilege} privilege; the session has ${who.privilege}`,
          );
        if (config.forceEncryption && !request.auxiliary.encryption)
          throw new IpmiError(
            ACTIVATE_PAYLOAD_CC.CANNOT_WITHOUT_ENCRYPTION,
            "SOL is configured to force encryption (parameter 2)",
          );
        const link = deps.link(who.sessionId);
        if (!link) throw new IpmiError(CC.NOT_SUPPORTED_IN_STATE, "SOL runs in an RMCP+ session only");
        const activated = sol.activate({
          sessionId: who.sessionId,
          label: `${who.user ?? ""}@${who.peer}`,
          link,
        });
        if (!activated)
          throw new IpmiError(ACTIVATE_PAYLOAD_CC.ALREADY_ACTIVE, "SOL is already active on another session");
        return {
          auxiliary: { testMode: false, reserved: 0 },
          inboundPayloadSize: SOL_PAYLOAD_SIZE,
          outboundPayloadSize: SOL_PAYLOAD_SIZE,
          port: config.payloadPort(),
          vlan: 0xffff,
        };
      },
    }),
    handlerFor(deactivatePayload, {
      handle: ({ request, requester }) => {
        sessionOf(requester);
        solInstance(request.payload, request.instance.instance);
        // Any session may end it (ipmitool sol deactivate frees a console left behind).
        if (!sol.deactivate(undefined, `deactivated by ${requester?.user ?? ""}@${requester?.peer ?? ""}`))
          throw new IpmiError(DEACTIVATE_PAYLOAD_CC.ALREADY_DEACTIVATED, "SOL is not active");
      },
    }),
    handlerFor(getPayloadActivationStatus, {
      handle: ({ request }) => {
        if (request.payload.type !== PAYLOAD_TYPE.SOL)
          return { capacity: { capacity: 0, reserved: 0 }, active: 0 };
        return { capacity: { capacity: 1, reserved: 0 }, active: sol.activeSession === undefined ? 0 : 1 };
      },
    }),
    handlerFor(getPayloadInstanceInfo, {
      handle: ({ request }) => {
        solInstance(request.payload, request.instance);
        return { sessionId: sol.activeSession ?? 0, portNumber: 1, reserved: new Uint8Array(7) };
      },
    }),
  ];
}
