/** A handler's way to answer with a completion code (IPMI 2.0 table 5-2) instead of data. */
export class IpmiError extends Error {
  constructor(
    readonly cc: number,
    message?: string,
  ) {
    super(message ?? `completion code ${cc.toString(16).padStart(2, "0")}h`);
    this.name = "IpmiError";
  }
}
