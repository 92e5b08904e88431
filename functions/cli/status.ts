import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FileObjectStore } from '../adapters/fs-store.js';
import { messageOf } from '../core/errors.js';
import { ledgerPrefix } from '../core/lake-keys.js';
import type { LedgerEntry } from '../core/ledger.js';
import { readManifest } from '../core/manifest.js';
import { readLedger } from '../core/plan.js';
import type { ObjectStore } from '../core/ports.js';
import type { Table } from '../core/tables.js';
import { parseInstant, parseInteger } from './args.js';
import { s3Client, stackOutputs } from './aws-targets.js';
import { type CliIo, type CommandSpec, type FlagSpecs, parseCommand, processIo } from './command.js';
import { assertOneLakeSource, gridMinutesOf, tableChoiceOf, tablesOf } from './ops-args.js';
import { type LedgerStatus, ledgerStatus, localRunCommand, rerunCommand } from './status-report.js';
import { printTable } from './table-output.js';
import { EXIT_OK, UsageError } from './usage.js';

const DAY_MS = 86_400_000;

const STATUS_COMMAND = {
  usage: `walake status [--bucket B | --stack NAME | --out DIR] [options]`,
  about: `What the lake holds, from its ledger: per UTC day and table, the grid windows that have ended (expected), and
how many are published, settled, running or missing, their rows and reconciliation mismatches; the last publish
time; the gaps, each with the walake rerun that fills it; and stranded windows: running with no progress for
--stale-after-minutes and older than the planner's --horizon-days, so that nothing will finish them (a task
that expired in its queue), each with the command that pulls them again. Exit code 0 even with gaps (it reports them);
1 when the ledger cannot be read.`,
  flags: {
    bucket: {
      type: 'string',
      value: 'B',
      description: `the lake's S3 bucket (the stack output DataBucketName)`,
    },
    stack: {
      type: 'string',
      value: 'NAME',
      description: `read the bucket from this CloudFormation stack's outputs`,
    },
    out: {
      type: 'string',
      value: 'DIR',
      description: `a local lake folder (default ./lake-data, as walake run)`,
    },
    from: { type: 'string', value: 'ISO', description: `start (default 7 days before --to)` },
    all: {
      type: 'boolean',
      description: `from the first day in the ledger: every gap and failed window the lake ever had`,
    },
    to: { type: 'string', value: 'ISO', description: `end, exclusive (default now)` },
    table: { type: 'string', value: 'T', description: `call-legs, call-records or all (default all)` },
    'grid-minutes': {
      type: 'string',
      value: 'N',
      description: `the grid the windows were cut on (default: the lake's, from its manifest; else 60)`,
    },
    'stale-after-minutes': {
      type: 'string',
      value: 'N',
      description: `the stack's staleAfterMinutes: a running window without progress this long is dead (default 120; on a local lake 15)`,
    },
    'horizon-days': {
      type: 'string',
      value: 'N',
      description: `the stack's horizonDays: older dead windows are stranded, left to you (default 2)`,
    },
    json: { type: 'boolean', description: `print one JSON object instead of tables` },
  },
  example: `walake status --stack WorkAnalyticsLake --from 2026-11-20T00:00:00Z --to 2026-11-27T00:00:00Z`,
} as const satisfies CommandSpec<FlagSpecs>;

export async function statusCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, STATUS_COMMAND, io);
  if (!parsed) return EXIT_OK;
  const flags = parsed.values;
  assertOneLakeSource(flags);
  if (flags.all && flags.from !== undefined) throw new UsageError('give --all or --from, not both');
  const nowMs = io.now();
  const toMs = flags.to === undefined ? nowMs : parseInstant('to', flags.to);
  const tables = tablesOf(tableChoiceOf(flags.table, 'all'));
  const { store, name } = await openLake(flags);
  // A local lake has no planner: what fills a window there is `walake run` into the same folder.
  const localOut =
    flags.stack === undefined && flags.bucket === undefined ? (flags.out ?? 'lake-data') : undefined;
  // The grid the lake was made on, from its manifest, unless given.
  const gridMinutes =
    flags['grid-minutes'] === undefined
      ? ((await lakeRead(name, () => readManifest(store)))?.gridMinutes ?? gridMinutesOf(undefined))
      : gridMinutesOf(flags['grid-minutes']);
  const first = flags.all ? await firstLedgerDayMs(store, tables) : undefined;
  const fromMs =
    flags.from === undefined
      ? Math.min(first ?? toMs - 7 * DAY_MS, toMs - 1)
      : parseInstant('from', flags.from);
  if (fromMs >= toMs) throw new UsageError('--from must be before --to');
  const entries: LedgerEntry[] = [];
  await lakeRead(name, async () => {
    for (const table of tables) entries.push(...(await readLedger(store, table, fromMs, toMs)));
  });
  const status = ledgerStatus(entries, {
    tables,
    fromMs,
    toMs,
    gridMinutes,
    nowMs,
    staleAfterMinutes:
      parseInteger('stale-after-minutes', flags['stale-after-minutes'], 5, 10_080) ??
      (localOut === undefined ? 120 : LOCAL_STALE_MINUTES),
    horizonDays: parseInteger('horizon-days', flags['horizon-days'], 1, 30) ?? 2,
    ...(localOut === undefined ? {} : { localOut }),
  });
  if (flags.json) io.stdout.write(`${JSON.stringify({ lake: name, ...status }, null, 2)}\n`);
  else printStatus(io, name, status, nowMs, localOut);
  return EXIT_OK;
}

/** A read of the lake's ledger or manifest; a failure names the lake (a missing bucket, no permission). */
async function lakeRead<T>(name: string, read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    throw new Error(`could not read the ledger of ${name}: ${messageOf(error)}`, { cause: error });
  }
}

/** The first UTC day any of the tables has a ledger entry for (keys sort by day), in epoch ms. */
async function firstLedgerDayMs(store: ObjectStore, tables: readonly Table[]): Promise<number | undefined> {
  const days = await Promise.all(
    tables.map(
      async (table) => (await store.list(ledgerPrefix(table)))[0]?.match(/\/dt=(\d{4}-\d{2}-\d{2})\//)?.[1],
    ),
  );
  const found = days.filter((d): d is string => d !== undefined).sort()[0];
  return found === undefined ? undefined : Date.parse(`${found}T00:00:00Z`);
}

/**
 * The lake a command names with `--stack`, `--bucket` or `--out` (default ./lake-data). A folder must exist
 * unless `create` (the probe may record its findings before the first run).
 */
export async function openLake(
  flags: { bucket?: string; stack?: string; out?: string },
  options: { create?: boolean } = {},
) {
  const bucket = flags.stack
    ? (await stackOutputs(flags.stack, ['DataBucketName'])).DataBucketName
    : flags.bucket;
  if (bucket !== undefined) {
    const { S3ObjectStore } = await import('../adapters/s3-store.js');
    return { store: new S3ObjectStore(await s3Client(), bucket) as ObjectStore, name: `s3://${bucket}` };
  }
  const root = resolve(flags.out ?? 'lake-data');
  const found = await stat(root).catch(() => undefined);
  if (options.create && !found) return { store: new FileObjectStore(root) as ObjectStore, name: root };
  if (!found?.isDirectory()) {
    throw new Error(
      `no lake folder at ${root}: pass --out DIR (where walake run wrote), --bucket or --stack`,
    );
  }
  return { store: new FileObjectStore(root) as ObjectStore, name: root };
}

/**
 * A local run's chains record progress at least once a minute while they run (a heartbeat per page); a window
 * left running without any for this long was interrupted (Ctrl-C, a closed terminal).
 */
const LOCAL_STALE_MINUTES = 15;

function printStatus(io: CliIo, name: string, s: LedgerStatus, nowMs: number, localOut?: string): void {
  io.stdout.write(
    `lake: ${name}\nrange: ${s.from} .. ${s.to}, ${s.gridMinutes}-minute grid, windows that have ended\n\n`,
  );
  printTable(io.stdout, s.days as unknown as Record<string, unknown>[]);
  const t = s.totals;
  io.stdout.write(
    `\ntotal: ${t.published} of ${t.expected} windows published (${t.settled} settled), ${t.running} running, ` +
      `${t.failed} failed, ${t.missing} missing, ${t.rows} rows, ${t.mismatches} reconciliation mismatches\n`,
  );
  const last = Object.entries(s.lastPublished).map(([table, at]) =>
    at ? `${table} ${at} (${ago(nowMs - Date.parse(at))} ago)` : `${table} none in this range`,
  );
  io.stdout.write(`last publish: ${last.join('; ')}\n`);
  if (s.otherGrid > 0) {
    io.stdout.write(
      `note: ${s.otherGrid} ledger entries are on another grid: pass the stack's --grid-minutes\n`,
    );
  }
  if (s.gaps.length > 0) {
    io.stdout.write(`gaps (${s.gaps.length}; each filled by the command shown):\n`);
    for (const g of s.gaps.slice(0, 20)) {
      const fill =
        localOut === undefined
          ? rerunCommand(g.table, g.from, g.to)
          : localRunCommand(g.table, Date.parse(g.from), Date.parse(g.to), 'allpbxes', localOut);
      io.stdout.write(`  ${fill}   # ${g.windows} windows\n`);
    }
    if (s.gaps.length > 20) io.stdout.write(`  … and ${s.gaps.length - 20} more (--json lists them all)\n`);
  }
  if (s.mismatched.length > 0) {
    io.stdout.write(`reconciliation mismatches (${s.mismatched.length}):\n`);
    for (const m of s.mismatched.slice(0, 10))
      io.stdout.write(`  ${m.table} ${m.window}: ${m.explanation}\n`);
  }
  if (s.failed.length > 0) {
    io.stdout.write(`failed windows (${s.failed.length}; each pulled again by the walake rerun shown):\n`);
    for (const f of s.failed.slice(0, 20)) io.stdout.write(`  ${f.rerun}   # ${f.window}: ${f.reason}\n`);
  }
  if (s.stranded.length > 0) {
    const windows = s.stranded.reduce((sum, r) => sum + r.windows, 0);
    io.stdout.write(
      localOut === undefined
        ? `stranded windows (${windows}: running with no progress, older than the planner's horizon, so nothing ` +
            'will finish them; each filled by the command shown):\n'
        : `stranded windows (${windows}: running with no progress for ${LOCAL_STALE_MINUTES} min or more, left by an ` +
            'interrupted walake run; each filled by the command shown):\n',
    );
    for (const r of s.stranded.slice(0, 20))
      io.stdout.write(`  ${r.rerun}   # ${r.windows} windows, last progress ${r.lastProgress}\n`);
    if (s.stranded.length > 20)
      io.stdout.write(`  … and ${s.stranded.length - 20} more (--json lists them all)\n`);
  }
  if (t.missing === 0 && t.running === 0 && t.failed === 0)
    io.stdout.write('every window that has ended is published\n');
}

function ago(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}
