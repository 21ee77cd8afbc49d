"use client";

import Link from "next/link";
import { formatIso } from "@/components/format";
import { DecodedFields } from "@/components/live/DecodedFields";
import { usePolling } from "@/components/usePolling";
import type { BusInfo } from "@/server/contract/handlers";
import type { QueuesSnapshot } from "@/server/contract/queues";
import { decodeSelRecord } from "@/server/ipmi/records/sel";
import { fetchBuses, fetchQueues } from "./busesApi";
import { globalEnableNames, hexBytes, kindLabel, messageFlagNames, transportLabel } from "./busLabels";

/** Bus states and queues change without socket events (a VM connects, the host reads): read them again this often. */
const REFRESH_MS = 2000;

/** The Buses page: every bus with its interface, transport and state; what the BMC holds for the host. */
export function BusesView() {
  const buses = usePolling(fetchBuses, REFRESH_MS);
  const queues = usePolling(fetchQueues, REFRESH_MS);
  return (
    <div className="page buses">
      <div className="toolbar">
        <h1 className="page-title">Buses</h1>
        {buses.data !== null && (
          <span className="muted" data-testid="bus-count">
            {buses.data.length} bus{buses.data.length === 1 ? "" : "es"} on one router
          </span>
        )}
        {buses.error !== null && (
          <span className="error-text" role="alert">
            Could not load the buses: {buses.error}
          </span>
        )}
      </div>
      <div className="page-scroll">
        {buses.data !== null && <BusTable buses={buses.data} />}
        <h2 className="section-title">Waiting for the host</h2>
        {queues.error !== null && (
          <p className="error-text pad" role="alert">
            Could not load the queues: {queues.error}
          </p>
        )}
        {queues.data !== null && <Queues q={queues.data} />}
      </div>
    </div>
  );
}

function BusTable({ buses }: { buses: readonly BusInfo[] }) {
  return (
    <table className="htable" data-testid="bus-table">
      <thead>
        <tr>
          <th>Bus</th>
          <th>Interface</th>
          <th>Transport</th>
          <th>Address</th>
          <th>State</th>
          <th>Queued responses</th>
          <th>Description</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {buses.map((b) => (
          <tr
            key={b.id}
            data-testid="bus-row"
            data-bus={b.id}
            data-kind={b.kind}
            data-transport={b.transport}
            data-state={b.state}
          >
            <td className="mono">{b.id}</td>
            <td>{kindLabel(b.kind)}</td>
            <td>{transportLabel(b.transport)}</td>
            <td className="mono">{b.address ?? "—"}</td>
            <td>
              <span className={b.state === "up" ? "pill" : "pill pill-warn"}>{b.state}</span>
            </td>
            <td>{b.queued}</td>
            <td className="muted">{b.description}</td>
            <td>
              <Link
                href={`/?filter=${encodeURIComponent(`bus == ${b.id}`)}`}
                data-testid={`bus-live-${b.id}`}
              >
                live view
              </Link>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Queues({ q }: { q: QueuesSnapshot }) {
  const flags = messageFlagNames(q.messageFlags);
  const enables = globalEnableNames(q.globalEnables);
  const events = q.eventMessageBuffer;
  const messages = q.receiveMessageQueue;
  return (
    <div className="pad" data-testid="bmc-queues" data-attention={q.attention} data-flags={q.messageFlags}>
      <p>
        Message flags <code className="mono">{q.messageFlags.toString(16).padStart(2, "0")}h</code>
        {flags.length > 0 ? `: ${flags.join(", ")}` : " (none)"}; SMS_ATN{" "}
        <strong data-testid="bmc-attention">{q.attention ? "raised" : "clear"}</strong>. Global enables{" "}
        <code className="mono">{q.globalEnables.toString(16).padStart(2, "0")}h</code>
        {enables.length > 0 ? `: ${enables.join(", ")}` : " (none)"}.
      </p>
      <h3>
        Event message buffer ({events.entries.length} of {events.capacity}
        {events.enabled ? "" : ", disabled by the host"}; {events.dropped} dropped)
      </h3>
      {events.entries.length === 0 ? (
        <p className="muted" data-testid="event-buffer-empty">
          Empty: Read Event Message Buffer answers 80h.
        </p>
      ) : (
        events.entries.map((e) => (
          <div key={e.enqueuedAt} data-testid="event-buffer-entry" data-hex={hexBytes(e.data)}>
            <p className="mono">
              {formatIso(e.enqueuedAt)} · {hexBytes(e.data)}
            </p>
            <DecodedFields fields={decodeSelRecord(Uint8Array.from(e.data))} />
          </div>
        ))
      )}
      <h3>
        Receive message queue ({messages.entries.length} of {messages.capacity}; {messages.dropped} dropped)
      </h3>
      {messages.entries.length === 0 ? (
        <p className="muted" data-testid="receive-queue-empty">
          Empty: Get Message answers 80h.
        </p>
      ) : (
        <table className="htable">
          <thead>
            <tr>
              <th>Queued at</th>
              <th>For</th>
              <th>Channel</th>
              <th>Privilege</th>
              <th>Message (as Get Message returns it)</th>
            </tr>
          </thead>
          <tbody>
            {messages.entries.map((m) => (
              <tr key={`${m.enqueuedAt}-${hexBytes(m.data)}`} data-testid="receive-queue-entry">
                <td>{formatIso(m.enqueuedAt)}</td>
                <td className="mono">{m.forBus ?? "any interface"}</td>
                <td>{m.channel}</td>
                <td>{m.privilege}</td>
                <td className="mono">{hexBytes(m.data)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
