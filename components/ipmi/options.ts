/**
 * The choices the console's pickers offer, with the spec's names: request netfns,
 * the commands of a netfn, completion codes. Pure (unit-tested in options.test.ts).
 * Option values are decimal numbers as text ("6"), "" meaning "any".
 */
import { commandName, DCMI_GROUP } from "../../server/ipmi/commands";
import { completionCodeName, GENERIC_COMPLETION_CODES } from "../../server/ipmi/completion-codes";
import { hexByte } from "../../server/ipmi/hex";
import { NETFN, netFnName, requestNetFn } from "../../server/ipmi/netfn";

export interface PickerOption {
  value: string;
  label: string;
}

export interface PickerGroup {
  label: string;
  options: PickerOption[];
}

const ALL_BYTES = Array.from({ length: 256 }, (_, i) => i);

/** "App (06h)" for every request netfn (00h, 02h, … 3Eh), named ones first. */
export function netFnOptions(): PickerGroup[] {
  const named: PickerOption[] = [];
  const other: PickerOption[] = [];
  for (let n = 0; n <= 0x3e; n += 2) {
    const name = netFnName(n);
    const option = { value: String(n), label: `${name} (${hexByte(n)})` };
    (name === "Reserved" || name.startsWith("Controller-specific") ? other : named).push(option);
  }
  return [
    { label: "Network functions", options: named },
    { label: "Reserved and OEM", options: other },
  ];
}

/** The body code whose command names a 2Ch picker shows (DCMI, the one group the console knows). */
export function pickerGroupOf(netFn: number): number | undefined {
  return requestNetFn(netFn) === NETFN.GROUP_EXTENSION ? DCMI_GROUP : undefined;
}

/** "Get Device ID (01h)" for the named commands of a netfn, then "Cmd 5Ah" for every other code. */
export function commandOptions(netFn: number | null): PickerGroup[] {
  const named: PickerOption[] = [];
  const other: PickerOption[] = [];
  const group = netFn === null ? undefined : pickerGroupOf(netFn);
  for (const cmd of ALL_BYTES) {
    const name = netFn === null ? undefined : commandName(netFn, cmd, group);
    if (name !== undefined) named.push({ value: String(cmd), label: `${name} (${hexByte(cmd)})` });
    else other.push({ value: String(cmd), label: `Cmd ${hexByte(cmd)}` });
  }
  const groups: PickerGroup[] = [];
  if (named.length > 0) {
    groups.push({
      label: group === DCMI_GROUP ? "DCMI commands (body code DCh)" : "Commands",
      options: named,
    });
  }
  groups.push({ label: named.length > 0 ? "Other codes" : "Command codes", options: other });
  return groups;
}

/** "C1h Invalid Command": the generic codes first, then every other byte with its range's name. */
export function completionCodeOptions(): PickerGroup[] {
  const generic = new Set(GENERIC_COMPLETION_CODES);
  const label = (cc: number) => `${hexByte(cc)} ${completionCodeName(cc)}`;
  return [
    {
      label: "Generic completion codes",
      options: GENERIC_COMPLETION_CODES.map((cc) => ({ value: String(cc), label: label(cc) })),
    },
    {
      label: "Device- and command-specific",
      options: ALL_BYTES.filter((cc) => !generic.has(cc)).map((cc) => ({
        value: String(cc),
        label: label(cc),
      })),
    },
  ];
}

/** A picker's value back to a number; null for "any" or anything unreadable. */
export function optionNumber(value: string): number | null {
  if (value.trim() === "") return null;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 && n <= 255 ? n : null;
}
