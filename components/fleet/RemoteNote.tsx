import type { ReactNode } from "react";
import styles from "./fleet.module.css";

interface RemoteNoteProps {
  /** The node actions go to. */
  target: string;
  /** This node's name. */
  self: string | null;
  /** What the page lists: "handlers", "rules". */
  what: string;
  /** What else the operator should know (what cannot be done remotely). */
  children?: ReactNode;
}

/**
 * Says plainly that the list is this node's while actions go to another: the server lists
 * only its own node's handlers and rules; the control routes take a target node.
 */
export function RemoteNote({ target, self, what, children }: RemoteNoteProps) {
  return (
    <p className={styles.note} role="note" data-testid="remote-note" data-target={target}>
      Showing this node&apos;s {what}
      {self === null ? "" : ` (${self})`}; actions go to node <strong>{target}</strong>.{children}
    </p>
  );
}
