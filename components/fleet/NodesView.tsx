"use client";

import Link from "next/link";
import { DASH, formatIso } from "@/components/format";
import { useNow } from "@/components/useNow";
import type { FleetNodeDto, FleetStatusDto } from "@/server/contract/fleet";
import styles from "./fleet.module.css";
import { fleetOn } from "./fleetApi";
import { hrefWithChoice } from "./nodeChoice";
import { ago, lagText, retentionText, sortedNodes } from "./nodesFormat";
import { useFleet } from "./useFleet";

/** The Nodes page: every node of the fleet (GET /api/fleet, read every 5 s), gone ones greyed. */
export function NodesView() {
  const { status, error } = useFleet();
  const now = useNow(1000);
  return (
    <div className="page nodes">
      <div className="toolbar">
        <h1 className="page-title">Nodes</h1>
        {status !== null && fleetOn(status) && (
          <span className="muted" data-testid="fleet-summary">
            {status.nodes.length} node{status.nodes.length === 1 ? "" : "s"} · this is {status.node} · shared
            store{" "}
            <span className={status.store === "up" ? "pill" : "pill pill-warn"} data-testid="fleet-store">
              {status.store}
            </span>
            {retentionText(status.retention, now) !== null && (
              <span data-testid="fleet-retention"> · {retentionText(status.retention, now)}</span>
            )}
          </span>
        )}
        {error !== null && (
          <span className="error-text" role="alert">
            Could not read the fleet: {error}
          </span>
        )}
      </div>
      <div className="page-scroll">
        {status === null ? (
          error === null && <p className="muted pad">Reading the fleet…</p>
        ) : !fleetOn(status) ? (
          <p className="muted pad" data-testid="fleet-off">
            This node is alone: no shared store is configured (FLEET_DATABASE_URL).
          </p>
        ) : (
          <NodesTable status={status} now={now} />
        )}
      </div>
    </div>
  );
}

function NodesTable({ status, now }: { status: FleetStatusDto; now: number }) {
  return (
    <table className="htable" data-testid="nodes-table">
      <thead>
        <tr>
          <th scope="col">Node</th>
          <th scope="col">State</th>
          <th scope="col">Dashboard</th>
          <th scope="col">Version</th>
          <th scope="col">Buses</th>
          <th scope="col">Started</th>
          <th scope="col">Last seen</th>
          <th scope="col">Shipping</th>
          <th scope="col" />
        </tr>
      </thead>
      <tbody>
        {sortedNodes(status).map((n) => (
          <NodeRow key={n.name} node={n} self={n.self || n.name === status.node} status={status} now={now} />
        ))}
      </tbody>
    </table>
  );
}

function NodeRow({
  node: n,
  self,
  status,
  now,
}: {
  node: FleetNodeDto;
  self: boolean;
  status: FleetStatusDto;
  now: number;
}) {
  return (
    <tr
      className={n.state === "gone" ? styles.gone : undefined}
      data-testid="node-row"
      data-node={n.name}
      data-state={n.state}
      data-self={self || undefined}
    >
      <td className="mono">
        {n.name}
        {self && <span className="muted"> (this node)</span>}
      </td>
      <td>
        <span className={n.state === "up" ? "pill" : "pill pill-warn"}>{n.state}</span>
      </td>
      <td className="mono">
        {n.address === "" ? (
          DASH
        ) : (
          <a href={n.address} target="_blank" rel="noreferrer" data-testid="node-address">
            {n.address}
          </a>
        )}
      </td>
      <td className="mono">{n.version || DASH}</td>
      <td title={n.buses.map((b) => `${b.id} (${b.kind}, ${b.state})`).join("\n")}>
        {n.buses.length === 0 ? DASH : n.buses.map((b) => b.id).join(", ")}
      </td>
      <td title={formatIso(n.startedAt)}>{ago(n.startedAt, now)}</td>
      <td title={formatIso(n.lastSeen)} data-testid="node-last-seen">
        {ago(n.lastSeen, now)}
      </td>
      <td data-testid="node-lag" title={`shipped up to exchange #${n.shippedId}`}>
        {/* Only this node knows its own backlog; for the others the store has how far they got. */}
        {self ? lagText(status.lag) : `up to #${n.shippedId}`}
      </td>
      <td>
        {!self && (
          <Link href={hrefWithChoice("/", { kind: "node", name: n.name })} data-testid="node-watch">
            Watch
          </Link>
        )}
      </td>
    </tr>
  );
}
