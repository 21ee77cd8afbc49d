import { memo } from "react";
import { formatTime } from "@/components/format";
import styles from "./ConsoleLaneRow.module.css";
import type { ConsoleLine } from "./state/consoleLane";

/**
 * One line of the host's console among the exchanges (the console lane). Not an exchange:
 * it cannot be selected or opened, and j/k step over it; its title holds the whole line.
 */
export const ConsoleLaneRow = memo(function ConsoleLaneRow({ line }: { line: ConsoleLine }) {
  const typed = line.direction === "in";
  const who = typed ? `typed by ${line.source ?? "someone"}` : "host printed";
  return (
    <tr
      className={`xrow ${styles.row}${typed ? ` ${styles.typed}` : ""}`}
      data-testid="console-lane-row"
      data-chunk-id={line.chunkId}
      data-direction={line.direction}
      data-received-at={line.receivedAt}
      data-partial={line.partial || undefined}
    >
      <td className={styles.time}>{formatTime(line.receivedAt)}</td>
      <td className={styles.who} title={who}>
        {typed ? "⌨ " : "▸ "}
        {who}
      </td>
      <td className={styles.text} title={line.text}>
        {line.text}
      </td>
    </tr>
  );
});
