/**
 * The session commands (IPMI 2.0 sections 22.13, 22.15-22.20) as handlers: thin, the
 * rules live in sessions/lan-login.ts. Routed like every command, so operators see them,
 * can hold or answer them by hand, and rules apply.
 */
import {
  activateSession,
  closeSession,
  getChannelAuthCapabilities,
  getChannelCipherSuites,
  getSessionChallenge,
  getSessionInfo,
  setSessionPrivilege,
} from "../../ipmi/commands/app";
import { handlerFor } from "../../router/handler";
import type { HandlerSpec } from "../../router/types";
import type { LanLogin } from "../sessions/lan-login";

export function sessionHandlers(login: LanLogin): HandlerSpec[] {
  return [
    handlerFor(getChannelAuthCapabilities, {
      handle: ({ request, requester }) => login.channelAuthCapabilities(request, requester),
    }),
    handlerFor(getSessionChallenge, {
      handle: ({ request, requester }) => login.sessionChallenge(request, requester),
    }),
    handlerFor(activateSession, {
      handle: ({ request, requester }) => login.activateSession(request, requester),
    }),
    handlerFor(getChannelCipherSuites, {
      handle: ({ request, requester }) => login.cipherSuites(request, requester),
    }),
    handlerFor(setSessionPrivilege, {
      handle: ({ request, requester }) => login.setPrivilege(request, requester),
    }),
    handlerFor(closeSession, {
      handle: ({ request, requester }) => login.closeSession(request, requester),
    }),
    handlerFor(getSessionInfo, {
      handle: ({ request, requester }) => login.sessionInfo(request, requester),
    }),
  ];
}
