import { parseArgs } from 'node:util';
import { didYouMean } from '../core/did-you-mean.js';
import { messageOf } from '../core/errors.js';
import { UsageError } from './usage.js';

/**
 * One flag of a command, declared once: `walake <command> --help` is generated from these declarations, the
 * parser is built from them, and a default given here is the value the command gets when the flag is absent.
 */
export interface FlagSpec {
  readonly type: 'string' | 'boolean';
  /** The value's placeholder in the help (`ISO`, `N`, `DIR`); for string flags. */
  readonly value?: string;
  readonly description: string;
  /** The value when the flag is absent (string flags); shown in the help. */
  readonly default?: string;
}

export type FlagSpecs = Readonly<Record<string, FlagSpec>>;

/** The parsed values of a command's flags: text, or true for a boolean flag that was given. */
export type FlagValues<F extends FlagSpecs> = {
  [K in keyof F]: F[K] extends { type: 'boolean' }
    ? boolean | undefined
    : F[K] extends { default: string }
      ? string
      : string | undefined;
};

/** A command's interface: what `--help` prints, and what its parser accepts. */
export interface CommandSpec<F extends FlagSpecs> {
  /** After `Usage: `, e.g. `walake run --from ISO --to ISO [options]`. */
  readonly usage: string;
  /** What the command does, in a paragraph or two. */
  readonly about: string;
  readonly flags: F;
  /** Printed after the options: credentials, exit status, caveats. */
  readonly notes?: string;
  readonly example: string;
  /** The command takes positional arguments (e.g. `walake query "SQL"`). */
  readonly positionals?: boolean;
}

/** Where a command writes: a stream (a terminal says so with `isTTY`), or a test's buffer. */
export interface Output {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

/** What a command prints and reads: the process's streams, environment and clock, or a test's. */
export interface CliIo {
  stdout: Output;
  stderr: Output;
  env: NodeJS.ProcessEnv;
  now: () => number;
}

/** The real process. */
export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr, env: process.env, now: Date.now };
}

/** The help text of a command, generated from its declarations. */
export function helpOf<F extends FlagSpecs>(spec: CommandSpec<F>): string {
  const rows = Object.entries(spec.flags).map(([name, flag]) => {
    const left = `--${name}${flag.value ? ` ${flag.value}` : ''}`;
    const right =
      flag.default === undefined ? flag.description : `${flag.description} (default ${flag.default})`;
    return [left, right] as const;
  });
  rows.push(['-h, --help', 'this help']);
  const width = Math.max(...rows.map(([left]) => left.length)) + 2;
  const options = rows.map(([left, right]) => `  ${left.padEnd(width)}${right}`).join('\n');
  const notes = spec.notes ? `\n${spec.notes.trim()}\n` : '';
  const example = spec.example
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
  return `Usage: ${spec.usage}\n\n${spec.about.trim()}\n\nOptions:\n${options}\n${notes}\nExample:\n${example}\n`;
}

/**
 * Parses a command's arguments strictly against its declarations: an unknown flag, a missing value or a stray
 * argument is a UsageError that names it. Undefined when `--help` was asked for, after printing the help.
 */
export function parseCommand<F extends FlagSpecs>(
  argv: string[],
  spec: CommandSpec<F>,
  io: CliIo,
): { values: FlagValues<F>; positionals: string[] } | undefined {
  const options = Object.fromEntries(
    Object.entries(spec.flags).map(([name, flag]) => [name, { type: flag.type }]),
  ) as Record<string, { type: 'string' | 'boolean' }>;
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new UsageError(parseErrorText(error, Object.keys(spec.flags)), { cause: error });
  }
  if (parsed.values.help) {
    io.stdout.write(helpOf(spec));
    return undefined;
  }
  const [stray] = parsed.positionals;
  if (!spec.positionals && stray !== undefined)
    throw new UsageError(`unexpected argument "${stray}": every value follows its flag`);
  const values: Record<string, unknown> = { ...parsed.values };
  for (const [name, flag] of Object.entries(spec.flags))
    if (values[name] === undefined && flag.default !== undefined) values[name] = flag.default;
  return { values: values as FlagValues<F>, positionals: parsed.positionals };
}

/**
 * Node's parser text, rewritten for a person: an unknown flag is named with the nearest one the command has
 * (`unknown flag --form. Did you mean --from?`), instead of advice about positionals after `--`.
 */
function parseErrorText(error: unknown, flags: readonly string[]): string {
  const code = (error as { code?: unknown }).code;
  const unknown = /^Unknown option '(-{1,2})([^'=]*)/.exec((error as Error).message ?? '');
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    const [, dashes = '--', name = ''] = unknown;
    return `unknown flag ${dashes}${name}.${didYouMean(name, [...flags, 'help'], (c) => `--${c}`)}`;
  }
  return messageOf(error).replace(/^TypeError \[\w+\]: /, '');
}
