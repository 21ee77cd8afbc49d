"use client";

import { useMemo, useState } from "react";
import { DASH, netFnLabel } from "@/components/format";
import type { HandlerInfo } from "@/server/contract/handlers";
import type { HandlerRates } from "@/server/contract/rates";
import { hexByte } from "@/server/ipmi/hex";
import { HandlerToggle } from "./HandlerToggle";

type SortKey = "key" | "id" | "priority" | "requests" | "errors";
type SortDir = "asc" | "desc";

const byKey = (a: HandlerInfo, b: HandlerInfo) =>
  a.key.localeCompare(b.key) || b.priority - a.priority || a.id.localeCompare(b.id);

const COMPARE: Record<SortKey, (a: HandlerInfo, b: HandlerInfo) => number> = {
  key: byKey,
  id: (a, b) => a.id.localeCompare(b.id),
  priority: (a, b) => a.priority - b.priority || byKey(a, b),
  requests: (a, b) => a.requests - b.requests || byKey(a, b),
  errors: (a, b) => a.errors - b.errors || byKey(a, b),
};

interface HandlersTableProps {
  handlers: readonly HandlerInfo[];
  onChanged: (handler: HandlerInfo) => void;
  /** A viewer: switches show the state but change nothing. */
  readOnly?: boolean;
  /** Another fleet node the switches act on; absent: this node. */
  target?: string;
  /** Latency figures by handler id (GET /api/rates). */
  latency?: ReadonlyMap<string, HandlerRates>;
}

/** "1.23 ms" for µs; a dash for none. */
function us(v: number | null | undefined): string {
  if (v === null || v === undefined) return DASH;
  return v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${v} µs`;
}

function SortHeader(props: {
  label: string;
  column: SortKey;
  sort: { column: SortKey; dir: SortDir };
  onSort: (column: SortKey) => void;
  className?: string;
}) {
  const active = props.sort.column === props.column;
  const ariaSort = active ? (props.sort.dir === "asc" ? "ascending" : "descending") : "none";
  return (
    <th scope="col" aria-sort={ariaSort} className={props.className}>
      <button
        type="button"
        className="sort"
        onClick={() => props.onSort(props.column)}
        data-testid={`sort-${props.column}`}
      >
        {props.label}
        <span className="sort-mark" aria-hidden="true">
          {active ? (props.sort.dir === "asc" ? "▲" : "▼") : ""}
        </span>
      </button>
    </th>
  );
}

/** Every registered handler, sortable, with its enabled switch. */
export function HandlersTable({
  handlers,
  onChanged,
  readOnly = false,
  latency,
  target,
}: HandlersTableProps) {
  const [sort, setSort] = useState<{ column: SortKey; dir: SortDir }>({ column: "key", dir: "asc" });
  const sorted = useMemo(() => {
    const compare = COMPARE[sort.column];
    const out = [...handlers].sort(compare);
    return sort.dir === "asc" ? out : out.reverse();
  }, [handlers, sort]);

  const onSort = (column: SortKey) =>
    setSort((s) =>
      s.column === column ? { column, dir: s.dir === "asc" ? "desc" : "asc" } : { column, dir: "asc" },
    );

  return (
    <div className="htable-scroll">
      <table className="htable" data-testid="handlers-table">
        <thead>
          <tr>
            <SortHeader label="Key" column="key" sort={sort} onSort={onSort} />
            <th scope="col">NetFn</th>
            <th scope="col">Command</th>
            <SortHeader label="Handler" column="id" sort={sort} onSort={onSort} />
            <th scope="col">Description</th>
            <SortHeader label="Prio" column="priority" sort={sort} onSort={onSort} className="num" />
            <th scope="col">Privilege</th>
            <th scope="col">Shadowed by</th>
            <th scope="col">Active</th>
            <SortHeader label="Requests" column="requests" sort={sort} onSort={onSort} className="num" />
            <SortHeader label="Errors" column="errors" sort={sort} onSort={onSort} className="num" />
            <th scope="col" className="num" title="requests in the last minute">
              1 min
            </th>
            <th scope="col" className="num" title="p50 / p99 latency, last minute">
              p50 / p99 (1 min)
            </th>
            <th scope="col" className="num" title="p50 / p99 latency since start">
              p50 / p99 (all)
            </th>
            <th scope="col">Enabled</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((h) => (
            <tr
              key={h.id}
              className={`${h.active ? "is-active" : "is-inactive"}${h.enabled ? "" : " is-disabled"}`}
              data-testid={`handler-row-${h.id}`}
              data-enabled={h.enabled}
              data-active={h.active}
            >
              <td className="mono">{h.key}</td>
              <td>{netFnLabel(h.netFn)}</td>
              <td title={`${h.cmdName} (${hexByte(h.cmd)})`}>
                {h.cmdName} <span className="muted mono">{hexByte(h.cmd)}</span>
              </td>
              <td className="mono">{h.id}</td>
              <td className="desc" title={h.description ?? undefined}>
                {h.description ?? DASH}
              </td>
              <td className="num">{h.priority}</td>
              <td>{h.privilege}</td>
              <td className="mono">{h.shadowedBy ?? DASH}</td>
              <td>
                {h.active ? (
                  <span className="badge badge-ok">active</span>
                ) : (
                  <span className="badge badge-idle">no</span>
                )}
              </td>
              <td className="num mono">{h.requests}</td>
              <td className={`num mono${h.errors > 0 ? " has-errors" : ""}`}>{h.errors}</td>
              <td className="num mono" data-testid={`handler-minute-${h.id}`}>
                {latency?.get(h.id)?.lastMinute.requests ?? 0}
              </td>
              <td className="num mono" data-testid={`handler-p99-${h.id}`}>
                {us(latency?.get(h.id)?.lastMinute.p50Us)} / {us(latency?.get(h.id)?.lastMinute.p99Us)}
              </td>
              <td className="num mono">
                {us(latency?.get(h.id)?.total.p50Us)} / {us(latency?.get(h.id)?.total.p99Us)}
              </td>
              <td>
                <HandlerToggle handler={h} onChanged={onChanged} readOnly={readOnly} target={target} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
