import type { ExchangeOrigin } from "@/server/contract/exchange";

/** "inj" / "replay" for exchanges an operator started, "bridge" for the BMC's own on IPMB; nothing for the host's. */
export function OriginBadge({ origin }: { origin: ExchangeOrigin }) {
  if (origin === "host") return null;
  return (
    <span
      className={`tag tag-${origin}`}
      data-testid="origin-badge"
      data-origin={origin}
      title={`Origin: ${origin}`}
    >
      {origin === "injected" ? "inj" : origin === "bridged" ? "bridge" : "replay"}
    </span>
  );
}

/** "rule #3" for an exchange a rule acted on. */
export function RuleTag({ ruleId, name }: { ruleId: number | null; name?: string }) {
  if (ruleId === null) return null;
  return (
    <span
      className="tag tag-rule"
      data-testid="rule-tag"
      data-rule-id={ruleId}
      title={name ? `Rule #${ruleId}: ${name}` : `Rule #${ruleId}`}
    >
      rule #{ruleId}
    </span>
  );
}
