/**
 * The reservation of the SDR repository or of the SEL (33.11, 31.4): a new one cancels
 * the previous, and so does a BMC reset. 0000h is never handed out.
 */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";

export class Reservation {
  private id = 0;

  /** The current reservation id; 0 when there is none. */
  get current(): number {
    return this.id;
  }

  take(): number {
    this.id = (this.id % 0xffff) + 1;
    return this.id;
  }

  cancel(): void {
    this.id = 0;
  }

  /** Throws C5h unless `id` is the current reservation (or 0 where `required` is false). */
  check(id: number, required: boolean): void {
    if (id === 0 && !required) return;
    if (id === 0 || id !== this.id) {
      throw new IpmiError(
        CC.RESERVATION_INVALID,
        id === 0 ? "this needs a reservation" : `reservation ${id} is not current`,
      );
    }
  }
}
