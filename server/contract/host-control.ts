/**
 * What the BMC can do to the machine it manages, and what a bus that reaches a real
 * machine (QEMU, a board's power logic) carries out. Shared by the BMC and the buses,
 * which otherwise know nothing of each other.
 */
export type ChassisAction =
  | "power-off"
  | "power-on"
  | "power-cycle"
  | "hard-reset"
  | "diagnostic-interrupt"
  | "soft-off";
