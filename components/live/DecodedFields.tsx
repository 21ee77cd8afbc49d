import type { CSSProperties, ReactNode } from "react";
import type { DecodedField } from "@/server/ipmi/commands";
import styles from "./DecodedFields.module.css";

/** Hex of at most this many bytes is shown beside the value; longer hex only as a tooltip. */
const RAW_SHOWN_MAX = 4 * 3 - 1;

interface DecodedFieldsProps {
  fields: readonly DecodedField[];
  "data-testid"?: string;
}

function rows(fields: readonly DecodedField[], depth: number, path: string): ReactNode[] {
  return fields.flatMap((f, i) => {
    const key = `${path}${i}`;
    // "(truncated)", "(extra)", "(partial read)": what did not fit the layout.
    const isNote = f.name.startsWith("(");
    const style = { "--depth": depth } as CSSProperties;
    const row = (
      <div
        key={key}
        className={isNote ? `${styles.row} ${styles.note}` : styles.row}
        data-field={f.name}
        data-depth={depth}
        style={style}
      >
        <dt className={styles.name} title={f.raw === undefined ? undefined : `bytes: ${f.raw}`}>
          {f.name}
        </dt>
        <dd className={styles.value}>
          {f.value}
          {f.raw !== undefined && f.raw.length <= RAW_SHOWN_MAX && f.raw !== f.value && (
            <span className={styles.raw}>{f.raw}</span>
          )}
        </dd>
      </div>
    );
    return f.children === undefined ? [row] : [row, ...rows(f.children, depth + 1, `${key}.`)];
  });
}

/** Decoded request or response fields: a two-column list, sub-fields indented under their field. */
export function DecodedFields({ fields, "data-testid": testId }: DecodedFieldsProps) {
  return (
    <dl className={styles.list} data-testid={testId}>
      {rows(fields, 0, "")}
    </dl>
  );
}
