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

/**
 * The BMC as the buses that reach a real host see it. Every member is required, so the
 * compiler checks the wiring: a transport that can carry them (QEMU's VM protocol, the
 * bt-bmc device) connects to all three.
 */
export interface HostFacingBmc {
  /** Chassis Control and watchdog actions the BMC decided on, for a bus that reaches the machine's power. */
  onChassisAction(listener: (action: ChassisAction) => void): () => void;
  /**
   * Whether the BMC holds something for the host's system software (receive message queue,
   * event message buffer, watchdog pre-timeout: the message flags of Get Message Flags,
   * IPMI 2.0 section 22.4): the interface's SMS_ATN bit follows it. Called with the current
   * value at once, then on every change.
   */
  onAttention(listener: (pending: boolean) => void): () => void;
  /** The host machine reset (a VM reset, a board's reset line): host-facing state resets. */
  hostReset(): void;
}
