import type { ReactNode } from "react";
import styles from "./fleet.module.css";

interface RemoteNoteProps {
  /** The one other node chosen (`?node=c`), listed and acted on; null: all nodes chosen (`?node=all`). */
  target: string | null;
  /** This node's name. */
  self: string | null;
  /** What the page lists: "handlers", "rules". */
  what: string;
  /** What else the operator should know. */
  children?: ReactNode;
}

/**
 * Says plainly whose list this is and where actions go: one other node's list, read over
 * the fleet, with actions going there; or, with every node's traffic chosen, this node's
 * list with actions staying here (there is no one node for them to go to).
 */
export function RemoteNote({ target, self, what, children }: RemoteNoteProps) {
  return (
    <p className={styles.note} role="note" data-testid="remote-note" data-target={target ?? ""}>
      {target === null ? (
        <>
          All nodes chosen: showing the {what} of this node{self === null ? "" : ` (${self})`}, and actions
          stay on this node. Pick one node to see and change its {what}.
        </>
      ) : (
        <>
          Showing node <strong>{target}</strong>&apos;s {what}; actions go to node <strong>{target}</strong>.
        </>
      )}
      {children}
    </p>
  );
}
