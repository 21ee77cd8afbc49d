/** Turns the first matching rule into the router's verdict for a request. */
import type { Interceptor } from "../router/intercept";
import type { HoldQueue } from "./hold-queue";
import type { RuleEngine } from "./rule-engine";

export function ruleInterceptor(rules: RuleEngine, holds: HoldQueue): Interceptor {
  return {
    intercept(ctx) {
      const rule = rules.match(ctx);
      if (!rule) return undefined;
      const by = `rule #${rule.id} (${rule.name})`;
      const { action } = rule;
      switch (action.type) {
        case "answer":
          return {
            kind: "answer",
            ruleId: rule.id,
            cc: action.cc,
            data: action.data,
            note: `answered by ${by}`,
          };
        case "error":
          return {
            kind: "answer",
            ruleId: rule.id,
            cc: action.cc,
            data: new Uint8Array(),
            note: `error from ${by}`,
          };
        case "delay":
          return { kind: "delay", ruleId: rule.id, ms: action.ms, note: `delayed ${action.ms} ms by ${by}` };
        case "drop":
          return { kind: "drop", ruleId: rule.id, note: `dropped by ${by}` };
        case "hold":
          return {
            kind: "hold",
            ruleId: rule.id,
            note: `held by ${by}`,
            onHeld: (held) => void holds.add(held, rule.id),
          };
      }
    },
  };
}
