/**
 * Checks on values a part is started with (a profile, test overrides): each throws a
 * RangeError naming the value when the response bytes could not carry it, so a bad
 * value stops the start instead of answering wrong bytes later.
 */

export function checkRange(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in ${min}..${max}, is ${value}`);
  }
}

export function checkMask(name: string, value: number, allowed: number): void {
  if (!Number.isInteger(value) || value < 0 || (value & ~allowed) !== 0) {
    throw new RangeError(`${name} may set only bits ${allowed.toString(16)}h, is ${value}`);
  }
}

export function checkBytes(name: string, value: readonly number[], length: number): void {
  if (value.length !== length) throw new RangeError(`${name} must have ${length} bytes, has ${value.length}`);
  value.forEach((b, i) => {
    checkRange(`${name}[${i}]`, b, 0, 0xff);
  });
}
