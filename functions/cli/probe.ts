import { redact } from '../adapters/wa-errors.js';
import { rawReport } from '../adapters/wa-raw.js';
import { createWorkAnalytics } from '../adapters/work-analytics.js';
import { messageOf } from '../core/errors.js';
import { type ApiFindings, recordApiFindings } from '../core/manifest.js';
import { parseInteger } from './args.js';
import { type CliIo, type CommandSpec, type FlagSpecs, parseCommand, processIo } from './command.js';
import { resolveConnection } from './credentials.js';
import { assertOneLakeSource, gridMinutesOf, oneTableOf } from './ops-args.js';
import {
  describeServed,
  type PageSizeResult,
  type ProbeDeps,
  probePageSize,
  probeScroll,
  type ScrollResult,
} from './probe-checks.js';
import { type FilterFinding, probeEdges } from './probe-edges.js';
import { describeEdges } from './probe-edges-text.js';
import { type PageFillResult, probePageFill } from './probe-pages.js';
import { type BurstResult, probeBurst, probeVisibility, type VisibilityResult } from './probe-traffic.js';
import { openLake } from './status.js';
import { EXIT_OK } from './usage.js';

const PROBE_COMMAND = {
  usage: `walake probe [--quick] [--json] [options]`,
  about: `Measures, with your credentials, what the 8x8 docs do not say:
  - the largest pageSize accepted (7000 first, then a binary search down on 400s), and how many rows a page of
    it really holds (a server may serve fewer without saying so);
  - whether page 1's scrollId can be replayed (page 2 fetched again after 0, 5 and 30 s; --quick: 0 s only);
  - how soon call legs appear (the newest disconnect time of the last hour, against now);
  - which time each report filters on (disconnect, start or connect time), on a recent busy quarter hour,
    and whether startTime and endTime are inclusive (asked with an edge on a row's second), and what to
    configure when it is not the default;
  - whether each report answers full pages until the last (a walk of the last 24 hours in about 4 pages):
    where it does, chains may end on their last data page instead of asking for "No Data";
  - the account's PBXes (GET /v2/pbxes/);
  - what throttling looks like (--burst requests at once, default 20, 30 s at most: statuses, Retry-After).
Read-only against the API, and bounded: about 70 requests in all. It takes about 40 s (--quick: a few
seconds). With --out, --bucket or --stack it records the page finding in that lake's manifest
(lake/_manifest.json), where walake run and the planner read it.`,
  flags: {
    table: {
      type: 'string',
      value: 'T',
      description: `call-legs or call-records, for the pageSize, scrollId and burst checks (default call-legs)`,
    },
    burst: {
      type: 'string',
      value: 'N',
      description: `requests of the throttling burst, 0..50 (default 20; 0 skips it)`,
    },
    quick: { type: 'boolean', description: `skip the waits of the scrollId check` },
    out: { type: 'string', value: 'DIR', description: `record the findings in this local lake folder` },
    bucket: { type: 'string', value: 'B', description: `record the findings in this S3 lake bucket` },
    stack: {
      type: 'string',
      value: 'NAME',
      description: `record the findings in the lake bucket of this CloudFormation stack`,
    },
    'grid-minutes': {
      type: 'string',
      value: 'N',
      description: `the grid of a lake that has no manifest yet (default 60)`,
    },
    json: { type: 'boolean', description: `print the report as JSON` },
    'secret-id': {
      type: 'string',
      value: 'ID',
      description: `read {apiKey, username, password} from this Secrets Manager secret`,
    },
  },
  notes: `Credentials: WA_API_KEY, WA_USERNAME, WA_PASSWORD (or --secret-id); endpoint: WA_BASE_URL.`,
  example: `walake probe --quick`,
} as const satisfies CommandSpec<FlagSpecs>;
/** What `walake probe` found. */
export interface ProbeReport {
  baseUrl: string;
  at: string;
  table: string;
  pageSize: PageSizeResult;
  scroll: ScrollResult;
  visibility: VisibilityResult;
  /** Per report: the field it filters on, its edges, what to configure. */
  filters: FilterFinding[];
  /** Per report: whether the API answers full pages until the last. */
  pageFill: PageFillResult[];
  pbxes: PbxResult;
  burst: BurstResult | null;
  /** The lake whose manifest took the findings, when one was named. */
  recordedIn?: string;
}

/** The account's PBXes, or why they could not be listed. */
export interface PbxResult {
  names: string[];
  deleted: string[];
  error?: string;
}

async function listPbxes(deps: ProbeDeps): Promise<PbxResult> {
  try {
    const list = await deps.listPbxes();
    return { names: [...list.names], deleted: list.pbxes.filter((p) => p.deleted).map((p) => p.name) };
  } catch (error) {
    return { names: [], deleted: [], error: deps.redact(messageOf(error)) };
  }
}

/** Runs every check in turn, the burst last so that its throttling cannot disturb the others. */
export async function runProbe(
  deps: ProbeDeps,
  options: { baseUrl: string; table: 'call-legs' | 'call-records'; burst: number; quick: boolean },
): Promise<ProbeReport> {
  const at = new Date(deps.now()).toISOString();
  const pageSize = await probePageSize(deps, options.table);
  const scroll = await probeScroll(deps, options.table, options.quick ? [0] : [0, 5, 30]);
  const visibility = await probeVisibility(deps, pageSize.max || undefined);
  const filters = await probeEdges(deps, Math.min(pageSize.max || 1000, 7000));
  const pageFill = [await probePageFill(deps, 'call-legs'), await probePageFill(deps, 'call-records')];
  const pbxes = await listPbxes(deps);
  const burst = options.burst > 0 ? await probeBurst(deps, options.table, options.burst) : null;
  return {
    baseUrl: options.baseUrl,
    at,
    table: options.table,
    pageSize,
    scroll,
    visibility,
    filters,
    pageFill,
    pbxes,
    burst,
  };
}

/** The findings a lake's manifest keeps: only what the probe could tell. */
export function apiFindingsOf(report: ProbeReport): ApiFindings {
  const full: ApiFindings['fullPagesUntilLast'] = {};
  for (const f of report.pageFill) if (f.fullPagesUntilLast !== null) full[f.table] = f.fullPagesUntilLast;
  return { measuredAt: report.at, fullPagesUntilLast: full };
}

export async function probeCommand(argv: string[], io: CliIo = processIo()): Promise<number> {
  const parsed = parseCommand(argv, PROBE_COMMAND, io);
  if (!parsed) return EXIT_OK;
  const flags = parsed.values;
  assertOneLakeSource(flags);
  const gridMinutes = gridMinutesOf(flags['grid-minutes']);
  const table = oneTableOf(flags.table, 'call-legs');
  const burst = parseInteger('burst', flags.burst, 0, 50) ?? 20;
  const connection = await resolveConnection(flags['secret-id'], io.env);
  const { client, tokens } = createWorkAnalytics(connection);
  const token = await tokens.token();
  const deps: ProbeDeps = {
    request: (query, signal) =>
      rawReport(query, { baseUrl: connection.baseUrl, apiKey: connection.credentials.apiKey, token, signal }),
    listPbxes: () => client.listPbxes(),
    now: io.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    redact: (text) => redact(text, tokens.secrets()),
  };
  const report = await runProbe(deps, {
    baseUrl: connection.baseUrl,
    table,
    burst,
    quick: flags.quick === true,
  });
  if (flags.out !== undefined || flags.bucket !== undefined || flags.stack !== undefined) {
    const { store, name } = await openLake(flags, { create: true });
    await recordApiFindings(store, apiFindingsOf(report), gridMinutes, io.now());
    report.recordedIn = name;
  }
  io.stdout.write(flags.json ? `${JSON.stringify(report, null, 2)}\n` : describeProbe(report));
  return EXIT_OK;
}

/** The report as lines a person reads. */
export function describeProbe(r: ProbeReport): string {
  const lines = [`8x8 Work Analytics probe of ${r.baseUrl} at ${r.at} (${r.table})`];
  const tried = r.pageSize.tried.map((t) => `${t.pageSize}→${t.status}`).join(', ');
  lines.push(
    r.pageSize.max === null
      ? `pageSize: inconclusive (${tried})`
      : r.pageSize.max === 7000
        ? 'pageSize: 7000 accepted (the documented maximum)'
        : `pageSize: largest accepted ${r.pageSize.max} (${tried}); refusal: ${r.pageSize.refusal ?? '?'}`,
    describeServed(r.pageSize.served),
  );
  const replays = r.scroll.replays.map(
    (x) => `${x.afterSeconds} s: ${x.status} ${x.samePage ? 'same' : 'different'}`,
  );
  lines.push(`scrollId replay: ${r.scroll.note}${replays.length ? ` (${replays.join('; ')})` : ''}`);
  const v = r.visibility;
  if (v.note) lines.push(`call legs: stopped early, ${v.note}`);
  lines.push(
    v.newestDisconnect === null
      ? 'call legs: none ended in the last hour, so the delay could not be measured (probe in business hours)'
      : `call legs: newest disconnect ${v.newestDisconnect}, ${v.lagSeconds} s before now (${v.legs} legs in the last hour${v.pages >= 5 ? ', first 5 pages' : ''})`,
  );
  lines.push(...describeEdges(r.filters));
  for (const f of r.pageFill) lines.push(`${f.table} pages: ${f.note}`);
  if (r.recordedIn) lines.push(`recorded in the manifest of ${r.recordedIn}`);
  const p = r.pbxes;
  lines.push(
    p.error
      ? `PBXes: could not be listed: ${p.error}`
      : `PBXes: ${p.names.join(', ') || '(none)'}${p.deleted.length ? ` (deleted: ${p.deleted.join(', ')})` : ''}`,
  );
  if (r.burst === null) lines.push('throttling: not measured (--burst 0)');
  else {
    const statuses = Object.entries(r.burst.statuses).map(
      ([s, n]) => `${n} × ${s === '0' ? 'no answer' : s}`,
    );
    const retry = r.burst.retryAfter.length ? `, Retry-After ${r.burst.retryAfter.join(', ')}` : '';
    lines.push(
      `throttling: ${r.burst.requests} requests at once → ${statuses.join(', ')}${retry} in ${r.burst.elapsedMs} ms`,
    );
    if (r.burst.sample429) lines.push(`  a 429's body: ${r.burst.sample429}`);
  }
  return `${lines.join('\n')}\n`;
}
