import { ccLabel, DASH, exchangeCommandLabel, formatLatency, hex2, netFnLabel } from "@/components/format";
import { DecodedFields } from "@/components/live/DecodedFields";
import { decodeExchange } from "@/components/live/decodeExchange";
import { OriginBadge, RuleTag } from "@/components/live/OriginBadge";
import { StatusBadge } from "@/components/live/StatusBadge";
import type { ExchangeDto } from "@/server/contract/exchange";

interface ExchangeResultProps {
  exchange: ExchangeDto;
  "data-testid"?: string;
  ruleName?: string;
}

/** The outcome of an injected or replayed request: completion code, response bytes, who answered. */
export function ExchangeResult({ exchange: x, "data-testid": testId, ruleName }: ExchangeResultProps) {
  const decoded = decodeExchange(x);
  return (
    <section
      className="xresult"
      data-testid={testId}
      data-id={x.id}
      data-cc={hex2(x.cc)}
      data-status={x.status}
      data-origin={x.origin}
    >
      <header className="xresult-head">
        <strong>
          {exchangeCommandLabel(x)} <span className="muted mono">#{x.id}</span>
        </strong>
        <OriginBadge origin={x.origin} />
        <RuleTag ruleId={x.ruleId} name={ruleName} />
        <StatusBadge status={x.status} />
      </header>
      <dl className="detail-fields">
        <div className="detail-field">
          <dt>Bus</dt>
          <dd>{x.busId}</dd>
        </div>
        <div className="detail-field">
          <dt>NetFn</dt>
          <dd>{netFnLabel(x.netFn)}</dd>
        </div>
        <div className="detail-field">
          <dt>Request</dt>
          <dd className="mono">{x.request === "" ? <span className="muted">no data</span> : x.request}</dd>
        </div>
        <div className="detail-field">
          <dt>Completion</dt>
          <dd data-testid={testId ? `${testId}-cc` : undefined}>{ccLabel(x.cc)}</dd>
        </div>
        <div className="detail-field">
          <dt>Response</dt>
          <dd className="mono" data-testid={testId ? `${testId}-data` : undefined}>
            {x.response === null ? (
              <span className="muted">nothing sent</span>
            ) : x.response === "" ? (
              <span className="muted">no data</span>
            ) : (
              x.response
            )}
          </dd>
        </div>
        <div className="detail-field">
          <dt>Handler</dt>
          <dd>{x.handlerId ?? DASH}</dd>
        </div>
        <div className="detail-field">
          <dt>Latency</dt>
          <dd>{formatLatency(x.latencyUs)}</dd>
        </div>
        {x.note !== null && (
          <div className="detail-field">
            <dt>Note</dt>
            <dd>{x.note}</dd>
          </div>
        )}
      </dl>
      {decoded.response !== undefined && (
        <>
          <h3>Response fields</h3>
          <DecodedFields fields={decoded.response} data-testid={testId ? `${testId}-decoded` : undefined} />
        </>
      )}
    </section>
  );
}
