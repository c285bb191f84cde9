/**
 * Settings declared once: a part's config is a zod schema whose fields carry their doc string
 * (`.describe()`) and default (`.default()`); its defaults are `schema.parse({})`, library calls
 * validate with `parseConfig`, and the CLI derives flags and --help from the same schema.
 */
import type { z } from 'zod';
import { ConfigError, show } from './errors.js';

type Issue = z.core.$ZodIssue & {
  minimum?: number | bigint;
  maximum?: number | bigint;
  inclusive?: boolean;
  values?: unknown[];
};

/** One line for the first issue of a zod error: "<name> must be >= 1, got 0". */
export function issueLine(
  error: z.ZodError,
  values: Record<string, unknown>,
  nameOf: (key: string) => string = (key) => key,
): string {
  const issue = error.issues[0] as Issue;
  const key = issue.path.map(String)[0];
  const where = key ? nameOf(issue.path.map(String).join('.')) : 'options';
  const got =
    key !== undefined
      ? issue.path.reduce<unknown>((v, k) => (v as Record<PropertyKey, unknown>)?.[k], values)
      : undefined;
  let what = issue.message;
  if (issue.code === 'too_small' && issue.minimum !== undefined)
    what = `must be ${issue.inclusive ? '>=' : '>'} ${issue.minimum}`;
  else if (issue.code === 'too_big' && issue.maximum !== undefined)
    what = `must be ${issue.inclusive ? '<=' : '<'} ${issue.maximum}`;
  else if (issue.code === 'invalid_value' && issue.values)
    what = `must be one of ${issue.values.map(String).join(', ')}`;
  else if (issue.code === 'invalid_type' && got === undefined) what = 'is required';
  else if (issue.code === 'invalid_type' && issue.expected === 'int') what = 'must be an integer';
  else if (issue.code === 'invalid_type')
    what = `must be ${issue.expected === 'number' ? 'a number' : `of type ${issue.expected}`}`;
  else if (issue.code === 'unrecognized_keys')
    return `unknown setting ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}`;
  return `${where} ${what}${got !== undefined ? `, got ${show(got)}` : ''}`;
}

/**
 * Validates `value` with a config schema; the first problem is a ConfigError naming the setting
 * (as `prefix.key` when a prefix is given, e.g. 'scaling.factor must be > 0, got -1').
 */
export function parseConfig<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const values = (value ?? {}) as Record<string, unknown>;
    throw new ConfigError(issueLine(result.error, values, (key) => (prefix ? `${prefix}.${key}` : key)));
  }
  return result.data;
}
