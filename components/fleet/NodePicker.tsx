"use client";

import type { FleetStatusDto } from "@/server/contract/fleet";
import styles from "./fleet.module.css";
import { ALL, type NodeChoice, nodeParam, parseNodeChoice } from "./nodeChoice";

interface NodePickerProps {
  fleet: FleetStatusDto;
  choice: NodeChoice;
  onChange: (choice: NodeChoice) => void;
}

/** The top bar's node picker: this node, all nodes, or one other node (with its state). */
export function NodePicker({ fleet, choice, onChange }: NodePickerProps) {
  const others = fleet.nodes.filter((n) => !n.self && n.name !== fleet.node);
  const value = nodeParam(choice) ?? "";
  // A node named in the URL that the store does not know (yet, or any more) stays selectable.
  const unknown = choice.kind === "node" && !others.some((n) => n.name === choice.name) ? choice.name : null;
  return (
    <label className={styles.picker} title="Which node's traffic to watch and where control actions go">
      <span className="muted">Node</span>
      <select
        className="input"
        value={value}
        onChange={(e) => onChange(parseNodeChoice(e.target.value, fleet.node))}
        aria-label="Node"
        data-testid="node-picker"
      >
        <option value="">This node ({fleet.node})</option>
        <option value={nodeParam(ALL) ?? "all"}>All nodes</option>
        {others.map((n) => (
          <option key={n.name} value={n.name} data-state={n.state}>
            {n.name} ({n.state})
          </option>
        ))}
        {unknown !== null && <option value={unknown}>{unknown} (unknown)</option>}
      </select>
    </label>
  );
}
