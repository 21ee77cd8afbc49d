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
  port: number;
  shell?: boolean;
  memoryMb?: number;
  /** "unix:/path/qmp.sock": QEMU's QMP socket, for the server's QEMU_QMP. */
  qmp?: string;
  /** The IPMI interface QEMU gives the guest (QEMU_INTERFACE); default "bt". */
  iface?: GuestInterface;
}

export type GuestInterface = "bt" | "kcs";
export const GUEST_INTERFACES: Record<GuestInterface, string>;

export function ensureQemu(): { path: string; version: string };
export function accelerator(): string;
export function ensureKernel(): { version: string; dir: string };
export function ensureInitramfs(kernel: { version: string; dir: string }): string;
export function buildGuest(): Guest;
export function guestArgs(guest: Guest, options: GuestBootOptions): string[];
export function bootGuest(guest: Guest, options: GuestBootOptions, stdio?: StdioOptions): ChildProcess;
export function parseGuestOutput(text: string): Record<string, { rc: number; text: string }>;
