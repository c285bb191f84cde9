/**
 * The command contract every part implements in its `cli.ts` (src/cli is only the registry and the
 * commander front end). A command is data: a zod schema whose fields are its flags (each field's
 * `.describe()` is its help line, `.default()` its default), the output it writes, examples, and a
 * `run` function that loads the part's heavy code lazily, so `modelmath <cmd> --help` stays fast.
 * Each setting is declared once: the schema drives validation, flags, defaults and `--help`.
 */
import type { z } from 'zod';
import type { Progress } from './progress.js';

/** What a command writes at `--out`. */
export interface OutputSpec {
  /** A file or a folder; a function when the options decide (`edit` writes a folder with --batch). */
  kind: 'file' | 'dir' | ((options: Record<string, unknown>) => 'file' | 'dir');
  /** Help text: what is written there ("folder for the trained model"). */
  describe: string;
  /** Used when --out is not given; without it, --out is required unless `optional`. */
  default?: string;
  /** --out may be left out (the command then writes nothing). */
  optional?: boolean;
  /** Allowed file endings (kind 'file'), e.g. ['.png']. */
  extensions?: readonly string[];
  /**
   * Entries the command writes into its folder while it runs (kind 'dir'), e.g. ['checkpoint/'];
   * the folder is claimed before `run` (see core/outputs claimDir) and `--resume` reads it.
   */
  claims?: readonly string[];
  /** The CLI itself writes the result's `data` there as JSON (a command's optional `--out result.json`). */
  resultJson?: boolean;
}

/** `--out FILE.json`, optional: the result as JSON, written by the CLI after the command succeeds. */
export const RESULT_JSON_OUTPUT: OutputSpec = Object.freeze({
  kind: 'file',
  describe: 'also write the result as JSON to this file',
  optional: true,
  extensions: ['.json'],
  resultJson: true,
});

/** What `run` receives besides its validated options. */
export interface CommandContext {
  /** `--json`: the result goes to stdout as one JSON object instead of text. */
  json: boolean;
  /** `--seed`: seed for every random choice. */
  seed: number;
  /** `--verbose`. */
  verbose: boolean;
  /** The checked output path (undefined when the command writes nothing this time). */
  out?: string;
  /** `--overwrite` was given (the output may replace same-named files of the user's). */
  overwrite: boolean;
  /** `--resume`: continue from the checkpoint under --out. */
  resume: boolean;
  /** The command's words ('toy train'), as recorded in output manifests. */
  command: string;
  /** A line on stderr (logs, notes, warnings). */
  log(message: string): void;
  /** A progress bar on stderr (drawn on a TTY only). */
  progress(label: string, total: number): Progress;
  /**
   * Writes the output folder: `build(tmp)` fills a temporary folder whose entries then replace
   * their namesakes at --out under the data-safety rules (core/outputs writeDirAtomic).
   */
  writeDir(build: (tmpDir: string) => Promise<void> | void): Promise<void>;
}

/** What a command prints: `text` on stdout, or `data` as one JSON object with --json. */
export interface CommandResult {
  data: unknown;
  text: string;
  /** A failure found after the result was printed (e.g. some batch rows failed): exit 2 with this line. */
  failure?: string;
}

/** Named partial settings merged under the flags the user gives (`--preset quick --steps 10`). */
export interface PresetSpec<O> {
  /** The option that picks the preset (a z.enum field of the schema). */
  option: keyof O & string;
  values: Readonly<Record<string, Partial<O>>>;
}

export interface CommandSpec<S extends z.ZodObject = z.ZodObject> {
  /** The word after its group (or after `modelmath`). */
  name: string;
  /** One line: what the command is for. */
  summary: string;
  /** Options; every field is a flag (camelCase -> --kebab-case). */
  options: S;
  /** Option fields that are input paths: the output may not be one of them. */
  inputs?: readonly (keyof z.output<S> & string)[];
  out?: OutputSpec;
  /** Adds --resume (continue from the checkpoint under --out). Needs `out.claims`. */
  resumable?: boolean;
  presets?: PresetSpec<z.input<S>>;
  /** This command's defaults where they differ from the schema's (fine-tuning: fewer steps, higher lr). */
  defaults?: Partial<z.input<S>>;
  /** Checks across options (one ConfigError line), run before the output is checked and any work starts. */
  check?(options: z.output<S>): void;
  /** Shell lines that work when pasted in the repository; the first is run by the tests. */
  examples: readonly [string, ...string[]];
  run(options: z.output<S>, ctx: CommandContext): Promise<CommandResult> | CommandResult;
}

/** A command with sub-commands (`modelmath toy train`). */
export interface CommandGroup {
  name: string;
  summary: string;
  commands: readonly CommandSpec[];
}

export type CommandEntry = CommandSpec | CommandGroup;

/** Keeps `run`'s options typed by the schema while the registry holds specs of any schema. */
export function defineCommand<S extends z.ZodObject>(spec: CommandSpec<S>): CommandSpec {
  return spec as unknown as CommandSpec;
}

export const isGroup = (e: CommandEntry): e is CommandGroup => 'commands' in e;
