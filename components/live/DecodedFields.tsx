import type { CSSProperties, ReactNode } from "react";
import type { DecodedField } from "@/server/ipmi/commands";
import styles from "./DecodedFields.module.css";
import type { LocatedField } from "./fieldBytes";

/** Hex of at most this many bytes is shown beside the value; longer hex only as a tooltip. */
const RAW_SHOWN_MAX = 4 * 3 - 1;

interface DecodedFieldsProps {
  fields: readonly DecodedField[];
  /** The fields with their bytes (fieldBytes.ts): rows become selectable. */
  located?: readonly LocatedField[];
  /** The selected field's key. */
  active?: string | null;
  onSelect?: (key: string) => void;
  "data-testid"?: string;
}

function rows(
  fields: readonly DecodedField[],
  located: readonly LocatedField[] | undefined,
  depth: number,
  path: string,
  active: string | null,
  onSelect: ((key: string) => void) | undefined,
): ReactNode[] {
  return fields.flatMap((f, i) => {
    const key = `${path}${i}`;
    const at = located?.[i];
    // "(truncated)", "(extra)", "(partial read)": what did not fit the layout.
    const isNote = f.name.startsWith("(");
    const style = { "--depth": depth } as CSSProperties;
    const selectable = onSelect !== undefined && at?.range != null;
    const className = [
      styles.row,
      isNote ? styles.note : "",
      active === key ? styles.active : "",
      selectable ? styles.selectable : "",
    ]
      .filter(Boolean)
      .join(" ");
    const row = (
      <div
        key={key}
        className={className}
        data-field={f.name}
        data-depth={depth}
        data-key={key}
        data-active={active === key || undefined}
        data-offset={at?.range?.offset}
        style={style}
        onClick={selectable ? () => onSelect(key) : undefined}
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
    return f.children === undefined
      ? [row]
      : [row, ...rows(f.children, at?.children, depth + 1, `${key}.`, active, onSelect)];
  });
}

/** Decoded request or response fields: a two-column list, sub-fields indented under their field. */
export function DecodedFields({
  fields,
  located,
  active = null,
  onSelect,
  "data-testid": testId,
}: DecodedFieldsProps) {
  return (
    <dl className={styles.list} data-testid={testId}>
      {rows(fields, located, 0, "", active, onSelect)}
    </dl>
  );
}
