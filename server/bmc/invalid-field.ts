/** The BMC's way to refuse a request field: CCh, "invalid data field in request" (table 5-2). */
import { CC } from "../ipmi/completion-codes";
import { IpmiError } from "../ipmi/ipmi-error";

export function invalidField(message: string): never {
  throw new IpmiError(CC.INVALID_DATA_FIELD, message);
}
