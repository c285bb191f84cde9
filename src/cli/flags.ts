/**
 * Flags from a command's zod schema: each field becomes `--kebab-name <value>` with its
 * `.describe()` text, its `.default()` shown in --help and `(required)` when it has neither a
 * default nor `.optional()`. Values arrive as strings and are converted strictly here ("1e-3" is a
 * number, "abc" and "" are not); zod then validates, and a problem becomes one line naming the flag.
 */
import { z } from 'zod';
import type { CommandSpec } from '../core/command.js';
import { issueLine } from '../core/config.js';
import { ConfigError, show } from '../core/errors.js';

export type FlagKind = 'number' | 'string' | 'boolean' | 'enum' | 'list';

export interface Flag {
  /** Option key (camelCase), as in the schema. */
  key: string;
  /** `--steps <n>`, `--no-refine`, `--sanitize`. */
  syntax: string;
  description: string;
  kind: FlagKind;
  /** Allowed values (enum, or a list of enum values). */
  choices?: readonly string[];
  defaultValue?: unknown;
  required: boolean;
}

interface Unwrapped {
  base: z.ZodType;
  optional: boolean;
  defaultValue?: unknown;
  description?: string;
  placeholder?: string;
}

const meta = (s: z.ZodType) => z.globalRegistry.get(s) as { description?: string; placeholder?: string } | undefined;

/** Peels optional / default / nullable wrappers, collecting the description on the way. */
function unwrap(schema: z.ZodType): Unwrapped {
  const u: Unwrapped = { base: schema, optional: false };
  let s: z.ZodType = schema;
  for (;;) {
    u.description ??= meta(s)?.description;
    u.placeholder ??= meta(s)?.placeholder;
    const def = (s as z.ZodType & { def: { type: string; innerType?: z.ZodType; defaultValue?: unknown } }).def;
    if (def.type === 'optional' || def.type === 'nullable') {
      u.optional = true;
      s = def.innerType as z.ZodType;
    } else if (def.type === 'default' || def.type === 'prefault') {
      u.defaultValue ??= typeof def.defaultValue === 'function' ? undefined : def.defaultValue;
      s = def.innerType as z.ZodType;
    } else break;
  }
  u.base = s;
  return u;
}

const kebab = (key: string) => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const typeOf = (s: z.ZodType) => (s as z.ZodType & { def: { type: string } }).def.type;

function enumOptions(s: z.ZodType): readonly string[] | undefined {
  return typeOf(s) === 'enum' ? ((s as z.ZodEnum).options as string[]) : undefined;
}

function kindOf(u: Unwrapped, key: string): { kind: FlagKind; choices?: readonly string[] } {
  const t = typeOf(u.base);
  if (t === 'number') return { kind: 'number' };
  if (t === 'boolean') return { kind: 'boolean' };
  if (t === 'string') return { kind: 'string' };
  if (t === 'enum') return { kind: 'enum', choices: enumOptions(u.base) };
  if (t === 'array') {
    const element = (u.base as z.ZodArray).element as z.ZodType;
    return { kind: 'list', choices: enumOptions(element) };
  }
  throw new Error(`option ${key}: schema type '${t}' has no flag form`);
}

function placeholderOf(kind: FlagKind, u: Unwrapped): string {
  if (u.placeholder) return u.placeholder;
  if (kind === 'number') return (u.base as z.ZodNumber).isInt ? 'n' : 'x';
  if (kind === 'list') return 'list';
  if (kind === 'enum') return 'name';
  return 'value';
}

const showDefault = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));

/** The values each preset gives `key`, for --help ("quick 20, tour 5000"), or '' when no preset sets it. */
function presetNote(spec: CommandSpec | undefined, key: string): string {
  if (!spec?.presets) return '';
  const values = Object.entries(spec.presets.values as Record<string, Record<string, unknown>>)
    .filter(([, v]) => v[key] !== undefined)
    .map(([name, v]) => `${name} ${showDefault(v[key])}`);
  return values.length ? `${flagName(spec.presets.option)}: ${values.join(', ')}` : '';
}

/**
 * The flags of a schema, in field order. With a command spec, defaults are the command's own
 * (`spec.defaults`) over the default preset's over the schema's, and preset values are listed.
 */
export function flagsOf(schema: z.ZodObject, spec?: CommandSpec): Flag[] {
  const flags = Object.entries(schema.shape).map(([key, field]) => flagOf(key, field as z.ZodType, spec));
  if (!spec?.presets) return flags;
  const option = spec.presets.option;
  const chosen = String(flags.find((f) => f.key === option)?.defaultValue);
  const base = (spec.presets.values as Record<string, Record<string, unknown>>)[chosen] ?? {};
  for (const flag of flags) {
    if (base[flag.key] === undefined || spec.defaults?.[flag.key as never] !== undefined) continue;
    flag.defaultValue = base[flag.key];
    flag.required = false;
    flag.description = describeFlag(
      flag,
      unwrap(schema.shape[flag.key] as z.ZodType).description,
      presetNote(spec, flag.key),
    );
  }
  return flags;
}

function describeFlag(flag: Omit<Flag, 'description'>, text: string | undefined, presets = ''): string {
  const notes: string[] = [];
  if (flag.choices) notes.push(`${flag.kind === 'list' ? 'comma-separated: ' : ''}${flag.choices.join(' | ')}`);
  if (flag.required) notes.push('required');
  else if (flag.defaultValue !== undefined && flag.kind !== 'boolean')
    notes.push(`default: ${showDefault(flag.defaultValue)}`);
  if (presets) notes.push(presets);
  return [text ?? '', notes.length ? `(${notes.join('; ')})` : ''].filter(Boolean).join(' ');
}

function flagOf(key: string, field: z.ZodType, spec?: CommandSpec): Flag {
  const u = unwrap(field);
  const own = (spec?.defaults as Record<string, unknown> | undefined)?.[key];
  if (own !== undefined) u.defaultValue = own;
  const { kind, choices } = kindOf(u, key);
  const name = kebab(key);
  const required = !u.optional && u.defaultValue === undefined && kind !== 'boolean';
  let syntax = `--${name} <${placeholderOf(kind, u)}>`;
  if (kind === 'boolean') syntax = u.defaultValue === true ? `--no-${name}` : `--${name}`;
  const flag = { key, syntax, kind, choices, defaultValue: u.defaultValue, required };
  return { ...flag, description: describeFlag(flag, u.description, presetNote(spec, key)) };
}

/** The `--flag` a schema key is given as. */
export const flagName = (key: string) => `--${kebab(key)}`;

/** Converts a flag's raw value (commander hands over strings) to what the schema expects. */
export function convertFlag(flag: Flag, raw: unknown): unknown {
  if (typeof raw !== 'string') return raw;
  if (flag.kind === 'number') {
    const n = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(n)) throw new ConfigError(`${flagName(flag.key)} expects a finite number, got ${show(raw)}`);
    return n;
  }
  if (flag.kind === 'list') {
    return raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  return raw;
}

/**
 * The options of a run: the preset's values (if any), overlaid by the flags the user gave,
 * converted and validated by the schema (which fills the defaults).
 */
export function resolveOptions(spec: CommandSpec, given: Record<string, unknown>): Record<string, unknown> {
  const flags = flagsOf(spec.options, spec);
  const converted: Record<string, unknown> = {};
  for (const flag of flags) {
    if (given[flag.key] !== undefined) converted[flag.key] = convertFlag(flag, given[flag.key]);
  }
  let merged = converted;
  if (spec.presets) {
    const name = String(converted[spec.presets.option] ?? defaultOf(flags, spec.presets.option));
    const preset = spec.presets.values[name];
    if (preset === undefined) {
      throw new ConfigError(
        `${flagName(spec.presets.option)} must be one of ${Object.keys(spec.presets.values).join(', ')}, got ${show(name)}`,
      );
    }
    merged = { ...preset, ...converted };
  }
  merged = { ...spec.defaults, ...merged };
  const result = spec.options.safeParse(merged);
  if (!result.success) throw new ConfigError(issueLine(result.error, merged, (key) => flagName(key.split('.')[0])));
  return result.data as Record<string, unknown>;
}

const defaultOf = (flags: Flag[], key: string) => flags.find((f) => f.key === key)?.defaultValue;
