import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { FileObjectStore } from '../adapters/fs-store.js';
import { MANIFEST_KEY } from '../core/lake-keys.js';
import type { LedgerEntry } from '../core/ledger.js';
import { readLedger } from '../core/plan.js';
import type { ObjectStore } from '../core/ports.js';
import { TABLES, tableFolder } from '../core/tables.js';
import { parseInstant, parseInteger } from './args.js';
import { s3Client, stackOutputs } from './aws-targets.js';
import { type CliIo, type CommandSpec, type FlagSpecs, parseCommand, processIo } from './command.js';
import { assertOneLakeSource, gridMinutesOf } from './ops-args.js';
import { type Coverage, collectReport } from './report-data.js';
import { reportHtml } from './report-html.js';
import { parseTimeZones } from './report-zones.js';
import { EXIT_FAILURE, EXIT_OK, UsageError } from './usage.js';

const DAY_MS = 86_400_000;

const REPORT_COMMAND = {
  usage: `walake report [--out DIR | --stack NAME | --bucket B] [--from ISO --to ISO] --html FILE`,
  about: `Writes one self-contained HTML file (inline SVG charts, nothing loaded from the network) about a range of
the lake: inbound KPIs beside the previous period of the same length, service level, speed of answer and p90
wait per hour, inbound and missed calls per weekday and hour, call volume as a day x hour heatmap, answered,
missed and abandoned calls per day, the busiest hours, the missed calls never called back, services and who
answered, and the pipeline's health from the ledger (each day's windows: settled, published, mismatched,
failed, running, missing). Hours and weekdays are each PBX's local time (--time-zone). Its numbers come from
the lake's call records and analytics views.`,
  flags: {
    out: { type: 'string', value: 'DIR', description: `a local lake folder (default ./lake-data)` },
    stack: {
      type: 'string',
      value: 'NAME',
      description: `read the lake's bucket from this CloudFormation stack's outputs`,
    },
    bucket: {
      type: 'string',
      value: 'B',
      description: `the lake's S3 bucket: the range's days are downloaded to a temporary folder`,
    },
    from: {
      type: 'string',
      value: 'ISO',
      description: `start, by the calls' start time (default: the ledger's first day; 7 days before --to on S3)`,
    },
    to: {
      type: 'string',
      value: 'ISO',
      description: `end, exclusive (default: after the ledger's last day; now on S3)`,
    },
    html: {
      type: 'string',
      value: 'FILE',
      description: `where to write the report (default report.html in the lake folder, or here on S3)`,
    },
    'grid-minutes': {
      type: 'string',
      value: 'N',
      description: `the lake's grid (default: from the lake's manifest, else 60)`,
    },
    'service-level-seconds': {
      type: 'string',
      value: 'N',
      description: `an inbound call answered within N seconds counts toward the service level (default 20)`,
    },
    'callback-hours': {
      type: 'string',
      value: 'N',
      description: `hours within which a callback counts (default 24, as the stack's view)`,
    },
    'time-zone': {
      type: 'string',
      value: 'ZONES',
      description: `the local time of the hours and weekdays: a zone for every PBX (America/New_York), PBX=Zone entries (acmecorp=Europe/Berlin), or both, comma-separated; a PBX without one is shown in UTC`,
    },
  },
  example: `walake report --out ./lake-data --from 2026-11-20 --to 2026-11-27 --time-zone America/New_York,acme-eu=Europe/Berlin --html report.html`,
} as const satisfies CommandSpec<FlagSpecs>;

export async function reportCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, REPORT_COMMAND, io);
  if (!parsed) return EXIT_OK;
  const flags = parsed.values;
  assertOneLakeSource(flags);
  const callbackHours = parseInteger('callback-hours', flags['callback-hours'], 1, 744);
  const serviceLevelSeconds =
    parseInteger('service-level-seconds', flags['service-level-seconds'], 1, 3600) ?? 20;
  const zones = parseTimeZones(flags['time-zone']);
  const nowMs = io.now();
  const bucket = flags.stack
    ? (await stackOutputs(flags.stack, ['DataBucketName'])).DataBucketName
    : flags.bucket;
  let root: string;
  let name: string;
  let temporary: string | undefined;
  let range: { fromMs: number; toMs: number };
  if (bucket !== undefined) {
    const toMs = flags.to === undefined ? nowMs : parseInstant('to', flags.to);
    const fromMs = flags.from === undefined ? toMs - 7 * DAY_MS : parseInstant('from', flags.from);
    checkRange(fromMs, toMs);
    range = { fromMs, toMs };
    temporary = await mkdtemp(join(tmpdir(), 'walake-report-'));
    root = temporary;
    name = `s3://${bucket}`;
    const { S3ObjectStore } = await import('../adapters/s3-store.js');
    const copied = await copyRange(
      new S3ObjectStore(await s3Client(), bucket),
      new FileObjectStore(root),
      range,
    );
    io.stderr.write(`downloaded ${copied} objects of s3://${bucket} for the range\n`);
  } else {
    root = resolve(flags.out ?? 'lake-data');
    // The folder as the user named it: the report may be shared, and a full path says more than it should.
    name = flags.out ?? 'lake-data';
    const found = await stat(root).catch(() => undefined);
    if (!found?.isDirectory())
      throw new Error(`no lake folder at ${root}: pass --out DIR, --stack or --bucket`);
    range = await localRange(new FileObjectStore(root), flags.from, flags.to, nowMs);
  }
  try {
    const store = new FileObjectStore(root);
    const gridMinutes =
      flags['grid-minutes'] === undefined ? await manifestGrid(store) : gridMinutesOf(flags['grid-minutes']);
    const ledger: LedgerEntry[] = [];
    // The previous period's entries too: its KPIs say "no data" unless it is loaded.
    const since = 2 * range.fromMs - range.toMs;
    for (const table of TABLES) ledger.push(...(await readLedger(store, table, since, range.toMs)));
    const { openLake } = await import('../adapters/duckdb-lake.js');
    const lake = await openLake(root, callbackHours === undefined ? {} : { callbackHours });
    let html: string;
    let coverage: Coverage;
    try {
      const data = await collectReport(lake, ledger, name, {
        ...range,
        nowMs,
        gridMinutes,
        tables: TABLES,
        serviceLevelSeconds,
        zones,
      });
      html = reportHtml(data);
      coverage = data.coverage;
    } finally {
      lake.close();
    }
    const file = resolve(flags.html ?? (temporary ? 'report.html' : join(root, 'report.html')));
    await writeFile(file, html);
    io.stdout.write(`report: ${file}\n`);
    if (coverage.loaded === 0 && coverage.partly.length === 0) {
      const [from, to] = [new Date(range.fromMs).toISOString(), new Date(range.toMs).toISOString()];
      io.stderr.write(
        `nothing of ${from} .. ${to} is loaded in ${name} (${coverage.days} days): the report has no calls to ` +
          `show. Pull the range first: walake run --from ${from} --to ${to}${bucket === undefined ? ` --out ${root}` : ''}\n`,
      );
      return EXIT_FAILURE;
    }
    if (coverage.loaded < coverage.days)
      io.stderr.write(
        `note: ${coverage.loaded} of ${coverage.days} days loaded; the report says which (its first line)\n`,
      );
  } finally {
    if (temporary) await rm(temporary, { recursive: true, force: true });
  }
  return EXIT_OK;
}

function checkRange(fromMs: number, toMs: number): void {
  if (fromMs >= toMs) throw new UsageError('--from must be before --to');
  if (toMs - fromMs > 92 * DAY_MS)
    throw new UsageError('a report covers at most 92 days: narrow --from/--to');
}

const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** The UTC days a range touches, and the day after it: a call that started in it may end (be filed) there. */
function daysOf(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let ms = Math.floor(fromMs / DAY_MS) * DAY_MS; ms < toMs + DAY_MS; ms += DAY_MS) days.push(dayOf(ms));
  return days;
}

/**
 * Copies the manifest, and the lake objects and ledger entries of the range's days and of the previous period's
 * (DuckDB reads files).
 */
async function copyRange(from: ObjectStore, to: ObjectStore, range: { fromMs: number; toMs: number }) {
  const prefixes = TABLES.flatMap((table) =>
    daysOf(2 * range.fromMs - range.toMs, range.toMs).flatMap((day) => [
      `lake/${tableFolder(table)}/dt=${day}/`,
      `ledger/${tableFolder(table)}/dt=${day}/`,
    ]),
  );
  const keys = [MANIFEST_KEY, ...(await Promise.all(prefixes.map((p) => from.list(p)))).flat()];
  let copied = 0;
  for (let i = 0; i < keys.length; i += 16) {
    await Promise.all(
      keys.slice(i, i + 16).map(async (key) => {
        const body = await from.get(key);
        if (body === undefined) return;
        await to.put(key, body);
        copied++;
      }),
    );
  }
  return copied;
}

/** A local lake's range: the flags, else the whole UTC days its ledger has entries for. */
async function localRange(store: ObjectStore, from?: string, to?: string, nowMs = 0) {
  const days = (await Promise.all(TABLES.map((t) => store.list(`ledger/${tableFolder(t)}/`))))
    .flat()
    .map((key) => /\/dt=(\d{4}-\d{2}-\d{2})\//.exec(key)?.[1])
    .filter((d): d is string => d !== undefined)
    .sort();
  const first = days[0] === undefined ? nowMs - 7 * DAY_MS : Date.parse(`${days[0]}T00:00:00Z`);
  const last = days.at(-1) === undefined ? nowMs : Date.parse(`${days.at(-1)}T00:00:00Z`) + DAY_MS;
  const toMs = to === undefined ? last : parseInstant('to', to);
  const fromMs = from === undefined ? Math.min(first, toMs - DAY_MS) : parseInstant('from', from);
  checkRange(fromMs, toMs);
  return { fromMs, toMs };
}

async function manifestGrid(store: ObjectStore): Promise<number> {
  const body = await store.get(MANIFEST_KEY);
  if (body === undefined) return 60;
  const grid = (JSON.parse(new TextDecoder().decode(body)) as { gridMinutes?: unknown }).gridMinutes;
  return typeof grid === 'number' && grid > 0 ? grid : 60;
}
