// Types of guest.mjs for the TypeScript tests that use it.
import type { ChildProcess, StdioOptions } from "node:child_process";

export const root: string;
export const cacheDir: string;

export class QemuUnavailable extends Error {}

export interface Guest {
  qemu: string;
  qemuVersion: string;
  accel: string;
  kernelVersion: string;
  kernel: string;
  initrd: string;
  preparedMs: number;
}

export interface GuestBootOptions {
  host?: string;
  /** The BMC socket of a guest with one interface. */
  port?: number;
  /** One BMC socket per interface, in the order `iface` names them ("bt+kcs": [bt, kcs]). */
  ports?: number[];
  shell?: boolean;
  memoryMb?: number;
  /** "unix:/path/qmp.sock": QEMU's QMP socket, for the server's QEMU_QMP. */
  qmp?: string;
  /** The server's HOST_SERIAL port: the guest's ttyS1 connects there, with a shell on it. */
  serial?: number;
  /** With `serial`: after its steps, the guest waits up to this many seconds for the ttyS1 shell to exit (init.sh, guest.hold=S). */
  holdSerial?: number;
  /** Then an event and a bridged request on the last interface (init.sh, guest.events=1). */
  events?: boolean;
  /** The IPMI interface(s) QEMU gives the guest; default "bt". */
  iface?: GuestInterface | "bt+kcs";
}

export type GuestInterface = "bt" | "kcs";
export const GUEST_INTERFACES: Record<GuestInterface, string>;
export function guestInterfaces(spec?: string): GuestInterface[];

export function ensureQemu(): { path: string; version: string };
export function accelerator(): string;
export function ensureKernel(): { version: string; dir: string };
export function ensureInitramfs(kernel: { version: string; dir: string }): string;
export function buildGuest(): Guest;
export function guestArgs(guest: Guest, options: GuestBootOptions): string[];
export function bootGuest(guest: Guest, options: GuestBootOptions, stdio?: StdioOptions): ChildProcess;
export function parseGuestOutput(text: string): Record<string, { rc: number; text: string }>;
