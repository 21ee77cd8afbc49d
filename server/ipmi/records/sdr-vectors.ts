/**
 * SDR records as byte vectors, laid out by hand from IPMI 2.0 section 43, shared by the
 * record tests and the Get SDR decoding tests.
 */

/** A full sensor record: CPU temperature, degrees C, M = 1, thresholds LNC..UNR. */
export const FULL_SENSOR = [
  "01 00 51 01 33", // header: record 0001h, SDR 1.5, full sensor, 51 bytes follow
  "20 00 30", // owner 20h, channel 0 LUN 0, sensor 30h
  "03 01 7f 68 01 01", // entity processor.1, init, capabilities, temperature, threshold
  "95 0a 95 7a 3f 3f", // masks: all thresholds readable and settable
  "00 01 00 00", // unsigned, degrees C, no modifier, linear
  "01 00 00 00 01 00", // M = 1, B = 0, direction input, exponents 0
  "07 28 50 0a ff 00", // analog flags, nominal 40, normal max 80, min 10, sensor max/min
  "69 64 5f 00 05 0a", // UNR 105, UC 100, UNC 95, LNR 0, LC 5, LNC 10
  "02 02 00 00 00", // hysteresis, reserved, OEM
  "c8 43 50 55 20 54 65 6d 70", // 8-bit ASCII, 8 bytes: "CPU Temp"
].join(" ");

/** A compact sensor record: power supply status, sensor-specific, 6-bit packed ID "PSU1". */
export const COMPACT_SENSOR = [
  "02 00 51 02 1e", // record 0002h, compact, 30 bytes follow
  "20 00 40 0a 01 67 40 08 6f", // owner, sensor 40h, power supply.1, init, caps, type, sensor-specific
  "0f 00 0f 00 0f 00", // masks
  "c0 00 00", // no analog reading
  "00 00 00 00 00 00 00 00", // sharing, hysteresis, reserved, OEM
  "83 f0 5c 47", // 6-bit packed ASCII, 3 bytes: "PSU1"
].join(" ");
