/** Words for the Buses page: interface kinds, transports and the flag bytes of section 22. */

const KINDS: Record<string, string> = {
  bt: "BT",
  kcs: "KCS",
  ssif: "SSIF",
  ipmb: "IPMB",
  lan: "LAN",
  inject: "inject",
};

const TRANSPORTS: Record<string, string> = {
  sim: "simulated",
  device: "Linux device",
  qemu: "QEMU guest",
  udp: "UDP",
};

export function kindLabel(kind: string): string {
  return KINDS[kind] ?? kind;
}

export function transportLabel(transport: string): string {
  return TRANSPORTS[transport] ?? (transport || "—");
}

/** Get Message Flags bits (IPMI 2.0 section 22.4, table 22-6). */
const MESSAGE_FLAG_NAMES: readonly [number, string][] = [
  [0, "receive message available"],
  [1, "event message buffer full"],
  [3, "watchdog pre-timeout"],
  [5, "OEM 0"],
  [6, "OEM 1"],
  [7, "OEM 2"],
];

/** BMC Global Enables bits (section 22.1, table 22-2). */
const GLOBAL_ENABLE_NAMES: readonly [number, string][] = [
  [0, "receive queue interrupt"],
  [1, "event buffer full interrupt"],
  [2, "event message buffer"],
  [3, "system event logging"],
  [5, "OEM 0"],
  [6, "OEM 1"],
  [7, "OEM 2"],
];

function bitNames(value: number, names: readonly [number, string][]): string[] {
  return names.filter(([bit]) => (value >> bit) & 1).map(([, name]) => name);
}

export function messageFlagNames(flags: number): string[] {
  return bitNames(flags, MESSAGE_FLAG_NAMES);
}

export function globalEnableNames(enables: number): string[] {
  return bitNames(enables, GLOBAL_ENABLE_NAMES);
}

/** "20 01 00": bytes as the log shows them. */
export function hexBytes(bytes: readonly number[]): string {
  return bytes.map((b) => b.toString(16).padStart(2, "0")).join(" ");
}
