/**
 * IPMI completion codes (IPMI 2.0 rev 1.1, table 5-2, "Completion Codes").
 * Every part of the product that answers with an error names it from here, so the
 * mapping from "what went wrong" to the byte on the wire lives in one table.
 */
export const CC = {
  OK: 0x00,
  NODE_BUSY: 0xc0,
  INVALID_COMMAND: 0xc1,
  INVALID_FOR_LUN: 0xc2,
  TIMEOUT: 0xc3,
  OUT_OF_SPACE: 0xc4,
  RESERVATION_INVALID: 0xc5,
  REQUEST_TRUNCATED: 0xc6,
  REQUEST_LENGTH_INVALID: 0xc7,
  REQUEST_FIELD_LENGTH_EXCEEDED: 0xc8,
  PARAMETER_OUT_OF_RANGE: 0xc9,
  CANNOT_RETURN_BYTES: 0xca,
  NOT_PRESENT: 0xcb,
  INVALID_DATA_FIELD: 0xcc,
  ILLEGAL_FOR_SENSOR_OR_RECORD: 0xcd,
  RESPONSE_NOT_PROVIDED: 0xce,
  DUPLICATED_REQUEST: 0xcf,
  SDR_UPDATE_MODE: 0xd0,
  FIRMWARE_UPDATE_MODE: 0xd1,
  INITIALIZATION_IN_PROGRESS: 0xd2,
  DESTINATION_UNAVAILABLE: 0xd3,
  INSUFFICIENT_PRIVILEGE: 0xd4,
  NOT_SUPPORTED_IN_STATE: 0xd5,
  SUBFUNCTION_DISABLED: 0xd6,
  UNSPECIFIED: 0xff,
} as const;

export type CompletionCode = number;

const NAMES: ReadonlyMap<number, string> = new Map([
  [CC.OK, "Command Completed Normally"],
  [CC.NODE_BUSY, "Node Busy"],
  [CC.INVALID_COMMAND, "Invalid Command"],
  [CC.INVALID_FOR_LUN, "Command invalid for given LUN"],
  [CC.TIMEOUT, "Timeout while processing command"],
  [CC.OUT_OF_SPACE, "Out of space"],
  [CC.RESERVATION_INVALID, "Reservation Canceled or Invalid Reservation ID"],
  [CC.REQUEST_TRUNCATED, "Request data truncated"],
  [CC.REQUEST_LENGTH_INVALID, "Request data length invalid"],
  [CC.REQUEST_FIELD_LENGTH_EXCEEDED, "Request data field length limit exceeded"],
  [CC.PARAMETER_OUT_OF_RANGE, "Parameter out of range"],
  [CC.CANNOT_RETURN_BYTES, "Cannot return number of requested data bytes"],
  [CC.NOT_PRESENT, "Requested Sensor, data, or record not present"],
  [CC.INVALID_DATA_FIELD, "Invalid data field in Request"],
  [CC.ILLEGAL_FOR_SENSOR_OR_RECORD, "Command illegal for specified sensor or record type"],
  [CC.RESPONSE_NOT_PROVIDED, "Command response could not be provided"],
  [CC.DUPLICATED_REQUEST, "Cannot execute duplicated request"],
  [CC.SDR_UPDATE_MODE, "Command response could not be provided. SDR Repository in update mode"],
  [CC.FIRMWARE_UPDATE_MODE, "Command response could not be provided. Device in firmware update mode"],
  [
    CC.INITIALIZATION_IN_PROGRESS,
    "Command response could not be provided. BMC initialization or initialization agent in progress",
  ],
  [CC.DESTINATION_UNAVAILABLE, "Destination unavailable"],
  [CC.INSUFFICIENT_PRIVILEGE, "Cannot execute command due to insufficient privilege level"],
  [CC.NOT_SUPPORTED_IN_STATE, "Command, or request parameter(s), not supported in present state"],
  [
    CC.SUBFUNCTION_DISABLED,
    "Cannot execute command. Parameter is illegal because command sub-function has been disabled or is unavailable",
  ],
  [CC.UNSPECIFIED, "Unspecified error"],
]);

/** Every generic completion code the spec defines, in ascending order. */
export const GENERIC_COMPLETION_CODES: readonly number[] = [...NAMES.keys()].sort((a, b) => a - b);

/** The spec's name for a completion code, including its device-specific and command-specific ranges. */
export function completionCodeName(cc: number): string {
  const known = NAMES.get(cc);
  if (known) return known;
  if (cc >= 0x01 && cc <= 0x7e) return "Device specific (OEM) completion code";
  if (cc >= 0x80 && cc <= 0xbe) return "Command-specific completion code";
  return "Reserved completion code";
}
