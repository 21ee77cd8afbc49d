"use client";

import { useMemo } from "react";
import type { BusInfo } from "@/server/contract/handlers";
import {
  commandOptions,
  completionCodeOptions,
  netFnOptions,
  optionNumber,
  type PickerGroup,
} from "./options";

/** The props every picker takes; all but `anyLabel` go on to its <select> (selectAttributes). */
interface SelectProps {
  /** Offer "any" (value "" or null) first. */
  anyLabel?: string;
  disabled?: boolean;
  id?: string;
  "aria-label"?: string;
  "data-testid"?: string;
  "aria-invalid"?: boolean;
}

function selectAttributes(props: SelectProps) {
  return {
    className: "input",
    id: props.id,
    "aria-label": props["aria-label"],
    "aria-invalid": props["aria-invalid"] || undefined,
    "data-testid": props["data-testid"],
    disabled: props.disabled,
  };
}

interface NumberPickerProps extends SelectProps {
  value: number | null;
  onChange: (value: number | null) => void;
}

function GroupedSelect(props: NumberPickerProps & { groups: PickerGroup[] }) {
  const { groups, value, onChange, anyLabel } = props;
  return (
    <select
      {...selectAttributes(props)}
      value={value === null ? "" : String(value)}
      onChange={(e) => onChange(optionNumber(e.target.value))}
    >
      {anyLabel !== undefined && <option value="">{anyLabel}</option>}
      {groups.map((g) => (
        <optgroup key={g.label} label={g.label}>
          {g.options.map((o) => (
            <option key={o.value} value={o.value}>
              {o.label}
            </option>
          ))}
        </optgroup>
      ))}
    </select>
  );
}

const NETFN_GROUPS = netFnOptions();
const CC_GROUPS = completionCodeOptions();

/** Request netfns with their names ("App (06h)"). */
export function NetFnPicker(props: NumberPickerProps) {
  return <GroupedSelect {...props} groups={NETFN_GROUPS} />;
}

/** The commands of `netFn` with their names, then the other codes. */
export function CommandPicker(props: NumberPickerProps & { netFn: number | null }) {
  const { netFn, ...rest } = props;
  const groups = useMemo(() => commandOptions(netFn), [netFn]);
  return <GroupedSelect {...rest} groups={groups} />;
}

/** Completion codes with the spec's names ("C1h Invalid Command"). */
export function CompletionCodePicker(props: NumberPickerProps) {
  return <GroupedSelect {...props} groups={CC_GROUPS} />;
}

interface BusPickerProps extends SelectProps {
  buses: readonly BusInfo[];
  value: string;
  onChange: (busId: string) => void;
}

/** The router's buses ("bt0 (bt)"); keeps a chosen bus listed even if it went away. */
export function BusPicker(props: BusPickerProps) {
  const { buses, value, onChange, anyLabel } = props;
  const known = buses.some((b) => b.id === value);
  return (
    <select {...selectAttributes(props)} value={value} onChange={(e) => onChange(e.target.value)}>
      {anyLabel !== undefined && <option value="">{anyLabel}</option>}
      {anyLabel === undefined && value === "" && (
        <option value="" disabled>
          {buses.length === 0 ? "no buses yet" : "choose a bus"}
        </option>
      )}
      {buses.map((b) => (
        <option key={b.id} value={b.id} title={b.description}>
          {b.id} ({b.kind})
        </option>
      ))}
      {!known && value !== "" && <option value={value}>{value}</option>}
    </select>
  );
}
