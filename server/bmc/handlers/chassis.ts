/**
 * Chassis (NetFn 00h) handlers, IPMI 2.0 section 28. What each command is (key,
 * privilege, layouts) comes from the command table, server/ipmi/commands/chassis.ts;
 * these only ask the chassis and answer its typed values.
 */
import {
  chassisControl,
  chassisIdentify,
  getChassisCapabilities,
  getChassisStatus,
  getPohCounter,
  getSystemBootOptions,
  getSystemRestartCause,
  POLICY_NO_CHANGE,
  POWER_RESTORE_POLICIES,
  setBootOptionsParameter,
  setPowerRestorePolicy,
  setSystemBootOptions,
} from "../../ipmi/commands/chassis";
import { handlerFor } from "../../router/handler";
import type { HandlerSpec } from "../../router/types";
import type { Bmc } from "../bmc";
import { CHASSIS_CONTROL, DEFAULT_IDENTIFY_SECONDS } from "../chassis";
import { invalidField } from "../invalid-field";
import { channelOf } from "../request-channel";

/** Set Power Restore Policy's answer: staying off, restoring and powering up are all supported. */
const POLICIES_SUPPORTED = { "always-off": true, previous: true, "always-on": true };

export function chassisHandlers(bmc: Bmc): HandlerSpec[] {
  const { chassis, profile } = bmc;
  return [
    handlerFor(getChassisCapabilities, {
      handle: () => {
        // FRU info, SDR, SEL and system management device are all this BMC; no bridge byte.
        const address = profile.device.slaveAddress;
        return {
          capabilities: profile.chassis.capabilities,
          fruDevice: address,
          sdrDevice: address,
          selDevice: address,
          systemManagementDevice: address,
          bridgeDevice: undefined,
        };
      },
    }),
    handlerFor(getChassisStatus, {
      handle: () => {
        const s = chassis.status;
        return {
          ...s,
          miscState: s.miscState | chassis.identifyBits(),
          frontPanelButtons: s.frontPanelButtons ?? undefined,
        };
      },
    }),
    handlerFor(chassisControl, {
      handle: (ctx) => {
        const { control, reserved } = ctx.request;
        if (reserved !== 0) invalidField("chassis control bits 7:4 are reserved");
        const action = CHASSIS_CONTROL[control];
        if (!action) invalidField(`chassis control ${control} is reserved`);
        if (action === "diagnostic-interrupt" && !profile.chassis.capabilities.diagnosticInterrupt) {
          invalidField("this chassis has no diagnostic interrupt");
        }
        // 28.3: the chassis answers D5h to a host action (power cycle, reset, ...) while the power is off.
        chassis.control(action, channelOf(profile.channels, ctx));
      },
    }),
    handlerFor(chassisIdentify, {
      handle: ({ request: { interval, force } }) => {
        if (force !== undefined && force.reserved !== 0) invalidField("force identify bits 7:1 are reserved");
        chassis.identify(interval ?? DEFAULT_IDENTIFY_SECONDS, force?.on === true);
      },
    }),
    handlerFor(setPowerRestorePolicy, {
      handle: ({ request: { policy, reserved } }) => {
        if (reserved !== 0) invalidField("power restore policy bits 7:3 are reserved");
        if (policy !== POLICY_NO_CHANGE) {
          // 28.8: codes 0-2 name the policies as Get Chassis Status does; 100b-111b are reserved.
          const next = POWER_RESTORE_POLICIES[policy];
          if (!next) invalidField(`power restore policy ${policy} is reserved`);
          chassis.setRestorePolicy(next);
        }
        return POLICIES_SUPPORTED;
      },
    }),
    handlerFor(getSystemRestartCause, { handle: () => chassis.status }),
    parameterFirst(
      handlerFor(setSystemBootOptions, { handle: ({ request }) => chassis.bootOptions.set(request) }),
      (selector) => chassis.bootOptions.requireImplemented(selector),
    ),
    handlerFor(getSystemBootOptions, {
      handle: ({ request: { parameter } }) => {
        if (parameter.reserved !== 0) invalidField("parameter selector bit 7 is reserved");
        return chassis.bootOptions.get(parameter.selector);
      },
    }),
    handlerFor(getPohCounter, {
      handle: () => ({ minutesPerCount: profile.chassis.pohMinutesPerCount, counter: chassis.pohCounter() }),
    }),
  ];
}

/**
 * Set System Boot Options answers 80h to a parameter this BMC does not implement whatever
 * data follows it (28.12; phosphor-host-ipmid answers so too), where the layout alone would
 * answer C7h/C8h to data that does not fit that parameter's layout in table 28-14. So the
 * selector is checked before the router unpacks the request.
 */
function parameterFirst<Req>(spec: HandlerSpec<Req>, check: (selector: number) => void): HandlerSpec<Req> {
  const { request } = spec;
  return {
    ...spec,
    request: {
      minLength: request.minLength,
      maxLength: request.maxLength,
      unpack: (data) => {
        const selector = setBootOptionsParameter(data);
        if (selector !== undefined) check(selector);
        return request.unpack(data);
      },
    },
  };
}
