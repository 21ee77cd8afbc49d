/**
 * The resets every part of the BMC answers for itself (`reset(kind)` on each part;
 * `Bmc.reset(kind)` asks them all):
 *
 * - "cold": Cold Reset (IPMI 2.0 section 20.2): the BMC restarts into its power-up
 *   state; non-volatile data (SEL, SDR, FRU, saved settings) stays.
 * - "warm": Warm Reset (20.3): interfaces and state machines restart; the BMC's
 *   settings, the watchdog and the sensors stay.
 * - "host": the machine the BMC manages reset (a VM reset, a platform reset line): a
 *   system reset for the watchdog (section 27) and a restart for the chassis.
 */
export type ResetKind = "cold" | "warm" | "host";
