#!/usr/bin/env node
import { didYouMean } from '../core/did-you-mean.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, MAIN_HELP, UsageError } from './usage.js';

/** A command: loaded only when called, so `walake --help` starts without the AWS SDK or DuckDB. */
type Command = (argv: string[]) => Promise<number>;

const COMMANDS: Record<string, () => Promise<Command>> = {
  demo: async () => (await import('./demo.js')).demoCommand,
  'fetch-page': async () => (await import('./fetch-page.js')).fetchPageCommand,
  run: async () => (await import('./run.js')).runCommand,
  rerun: async () => (await import('./rerun.js')).rerunCommand,
  backfill: async () => (await import('./backfill.js')).backfillCommand,
  status: async () => (await import('./status.js')).statusCommand,
  redrive: async () => (await import('./redrive.js')).redriveCommand,
  probe: async () => (await import('./probe.js')).probeCommand,
  query: async () => (await import('./query.js')).queryCommand,
  report: async () => (await import('./report.js')).reportCommand,
};

/**
 * The AWS SDK prints a 9-line Node-version notice on Node below 22 before the first answer of every `--stack`
 * command. walake runs on Node 20 and says once, in the README, that SDK releases after January 2027 need 22;
 * the notice is kept off unless the user set the SDK's own switch.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(MAIN_HELP);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  if (name === '-v' || name === '--version') {
    const { createRequire } = await import('node:module');
    process.stdout.write(`${createRequire(import.meta.url)('../../../package.json').version}\n`);
    return EXIT_OK;
  }
  const load = COMMANDS[name];
  if (!load) {
    const names = Object.keys(COMMANDS);
    throw new UsageError(
      `unknown command "${name}".${didYouMean(name, names)} Commands: ${names.join(', ')}`,
    );
  }
  helpHint = `walake ${name} --help`;
  return (await load())(rest);
}

/** Where a usage error sends the reader: the command's own help once the command is known. */
let helpHint = 'walake --help';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const err = error as Error;
    if (err instanceof UsageError) {
      process.stderr.write(`walake: ${err.message}\nRun \`${helpHint}\` for usage.\n`);
      process.exitCode = EXIT_USAGE;
      return;
    }
    process.stderr.write(`walake: ${err.message ?? String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  },
);
