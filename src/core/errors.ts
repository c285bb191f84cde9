/**
 * The one error hierarchy of modelmath. Every message states what was wrong, what was seen and
 * what was expected, so the CLI can print it as a single line: `modelmath: error: <message>`.
 * Exit codes: 2 for bad usage or bad input (InputError, ConfigError, ShapeError), 1 otherwise.
 */
export class ModelMathError extends Error {
  /** Process exit code the CLI uses for this error. */
  readonly exitCode: number;
  constructor(message: string, exitCode = 1, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.exitCode = exitCode;
  }
}

/** A file, image, CSV, model folder or value supplied by the user is missing or malformed. */
export class InputError extends ModelMathError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}

/** An option or config field is out of range, of the wrong type, or inconsistent with another. */
export class ConfigError extends ModelMathError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}

/** An array has the wrong length, shape or dtype. */
export class ShapeError extends ModelMathError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, 2, options);
  }
}

/** Formats a value for an error message: short, and never a huge array dump. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value == null) return String(value);
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as unknown as ArrayLike<number>).length})`;
  if (Array.isArray(value)) return value.length <= 8 ? `[${value.map(show).join(', ')}]` : `array(${value.length})`;
  try {
    const s = JSON.stringify(value);
    return s.length > 120 ? `${s.slice(0, 117)}...` : s;
  } catch {
    return String(value);
  }
}

/** Throws a ConfigError unless `value` is a finite number in [min, max] (bounds inclusive unless told). */
export function checkNumber(
  name: string,
  value: unknown,
  range: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean; integer?: boolean } = {},
): number {
  const { min = -Infinity, max = Infinity, minExclusive = false, maxExclusive = false, integer = false } = range;
  const lo = minExclusive ? '(' : '[';
  const hi = maxExclusive ? ')' : ']';
  const expected = `${integer ? 'an integer' : 'a finite number'} in ${lo}${min}, ${max}${hi}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new ConfigError(`${name} must be ${expected}, got ${show(value)}`);
  }
  if (integer && !Number.isInteger(value)) throw new ConfigError(`${name} must be ${expected}, got ${value}`);
  const belowMin = minExclusive ? value <= min : value < min;
  const aboveMax = maxExclusive ? value >= max : value > max;
  if (belowMin || aboveMax) throw new ConfigError(`${name} must be ${expected}, got ${value}`);
  return value;
}

/** Throws a ConfigError unless `value` is one of `allowed`. */
export function checkOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(`${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${show(value)}`);
  }
  return value as T;
}

/** Throws a ShapeError unless every element of `data` is finite; names the first bad index. */
export function checkFinite(name: string, data: ArrayLike<number>): void {
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i])) {
      throw new ShapeError(`${name} must contain only finite numbers, got ${data[i]} at index ${i}`);
    }
  }
}

/** Throws a ShapeError unless `data.length === expected`. */
export function checkLength(name: string, data: ArrayLike<number>, expected: number, shapeHint = ''): void {
  if (data.length !== expected) {
    throw new ShapeError(
      `${name} must have ${expected} elements${shapeHint ? ` (${shapeHint})` : ''}, got ${data.length}`,
    );
  }
}
