import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Dataset } from './dataset.js';
import { hashSeed, mulberry32 } from './prng.js';
import { QueryEngine, type Selection } from './query.js';
import { renderRow } from './render.js';
import { filterFieldOf, type SimContext } from './report-endpoint.js';
import { CursorCodec } from './scroll-id.js';
import { visibleMatches } from './scroll-quirks.js';
import { SimulatorServer } from './server.js';
import { checkDisagreement } from './summaries/disagreement.js';
import { isValidTimeZone } from './time-zone.js';
import { TokenStore } from './token-store.js';
import type {
  ApiRow,
  FaultControl,
  Simulator,
  SimulatorOptions,
  SimulatorStats,
  SummaryTimeField,
  TruthQuery,
} from './types.js';

export { ERROR_CODES } from './errors.js';
export { MAX_PAGE_SIZE } from './params.js';
export { PBX_PAGE_MAX, pbxObjectId } from './pbx-endpoint.js';
export { RETENTION_MS } from './query.js';
export type { CallLegRow, CallRecordRow } from './rows.js';
export { DRIFT_FIELDS } from './rows.js';
export { COMPANY_MEASURES } from './summaries/disagreement.js';
export { formatLocal, localToInstant, parseLocalTime } from './time-zone.js';
export type * from './types.js';
export { BIG_INTEGER_FIELD } from './types.js';

export const DEFAULTS = {
  seed: 1,
  apiKey: 'sim-api-key',
  username: 'analyst@example.com',
  password: 'sim-password',
  tokenTtlSeconds: 1800,
  pbxIds: ['acmecorp', 'acmecorp2', 'acme-eu'],
  callsPerHour: 40,
  timeZone: 'America/New_York',
  basePath: '/analytics/work',
} as const;

/**
 * Starts an in-process simulator of the 8x8 Work Analytics Historical API (token, call legs, call records, the four
 * summaries) and of the customer-data API's PBX list (`/v2/pbxes/`) on 127.0.0.1. `port` 0 (the default) picks a free port. Close it with `close()`.
 */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? DEFAULTS.seed;
  const now = options.now ?? Date.now;
  const pbxIds = [...(options.pbxIds ?? DEFAULTS.pbxIds)];
  const trafficZone = options.timeZone ?? DEFAULTS.timeZone;
  if (!isValidTimeZone(trafficZone)) throw new Error(`startSimulator: unknown timeZone '${trafficZone}'`);
  const ttl = options.tokenTtlSeconds ?? DEFAULTS.tokenTtlSeconds;
  const dataset = new Dataset({
    seed,
    pbxIds,
    callsPerHour: options.callsPerHour ?? DEFAULTS.callsPerHour,
    trafficZone,
  });
  const tokens = new TokenStore(ttl, now);
  const fraction = (name: string, value: number | undefined) => {
    if (value !== undefined && !(value >= 0 && value <= 1))
      throw new Error(`startSimulator: ${name} must be a fraction from 0 to 1, got ${value}`);
    return value ?? 0;
  };
  const cursorFormat = options.cursorFormat ?? 'base64';
  if (!['base64', 'jwt', 'uuid', 'urlencoded'].includes(cursorFormat))
    throw new Error(`startSimulator: unknown cursorFormat '${cursorFormat}'`);
  const ctx: SimContext = {
    seed,
    apiKey: options.apiKey ?? DEFAULTS.apiKey,
    username: options.username ?? DEFAULTS.username,
    password: options.password ?? DEFAULTS.password,
    pbxIds,
    denied: new Set(options.deniedPbxIds ?? []),
    analyticsAccess: options.analyticsAccess ?? true,
    now,
    dataset,
    engine: new QueryEngine(dataset, options.lateData, retentionMsOf(options.retentionDays)),
    tokens,
    deletedPbxIds: [...(options.deletedPbxIds ?? [])],
    recordsFilterField: options.recordsFilterField ?? 'disconnectedTimeUTC',
    legsFilterField: options.legsFilterField ?? 'disconnectedTimeUTC',
    startInclusive: options.startInclusive ?? true,
    endInclusive: options.endInclusive ?? true,
    look: {
      seed,
      wideFraction: fraction('wideValues.fraction', options.wideValues?.fraction),
      nullCallIdFraction: fraction('nullCallIdFraction', options.nullCallIdFraction),
      bigIntegers: options.bigDriftIntegers ?? false,
      loneSurrogateFraction: fraction('loneSurrogateFraction', options.loneSurrogateFraction),
    },
    cursors: new CursorCodec(cursorFormat, seed),
    quirks: {
      seed,
      ingestDelay: options.ingestDelay && {
        fraction: fraction('ingestDelay.fraction', options.ingestDelay.fraction),
        afterRequests: options.ingestDelay.afterRequests,
      },
      servedPageSize: options.servedPageSize,
      duplicateEdgeRows: options.duplicateEdgeRows ?? false,
      answered: 0,
    },
    raggedPages: options.raggedPages ?? false,
    summaryTimeField: summaryTimeFieldOf(options.summaryTimeField),
    summaryDisagreements: [...(options.summaryDisagreements ?? [])],
    ringGroupMembersExtId: options.ringGroupMembersExtId ?? 'required',
  };
  for (const d of ctx.summaryDisagreements) checkDisagreement(d, pbxIds);
  if (!['required', 'optional'].includes(ctx.ringGroupMembersExtId))
    throw new Error(`startSimulator: ringGroupMembersExtId must be 'required' or 'optional'`);
  const faults: FaultControl = {
    latencyMs: options.latencyMs ?? 0,
    rateLimitPerSecond: options.rateLimitPerSecond,
    rateClock: options.rateClock ?? (() => performance.now()),
    plan: undefined,
    errorRate5xx: 0,
    rate429: 0,
    retryAfterSeconds: 1,
    truncatedRate: 0,
  };
  const stats: SimulatorStats = {
    logins: 0,
    loginFailures: 0,
    reportRequests: {},
    responses: {},
    pagesServed: 0,
    rowsServed: 0,
    noDataServed: 0,
    issuedTokens: [],
  };
  const basePath = (options.basePath ?? DEFAULTS.basePath).replace(/\/+$/, '');
  const app = new SimulatorServer(ctx, basePath, ttl, faults, stats, mulberry32(hashSeed(seed, 'faults')));
  const server = createServer((req, res) => {
    app.handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`simulator error: ${(error as Error).message}`);
    });
  });
  // Like the load balancer in front of the real API: idle connections live for a minute.
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}${basePath}`,
    apiKey: ctx.apiKey,
    username: ctx.username,
    password: ctx.password,
    faults,
    stats,
    revokeTokens: () => tokens.revokeAll(),
    summaryDisagreements: ctx.summaryDisagreements,
    truth: (q) => truth(ctx, q),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function summaryTimeFieldOf(field: SummaryTimeField | undefined): SummaryTimeField {
  if (field === undefined) return 'startTimeUTC';
  if (field !== 'startTimeUTC' && field !== 'disconnectedTimeUTC')
    throw new Error(`startSimulator: summaryTimeField must be 'startTimeUTC' or 'disconnectedTimeUTC'`);
  return field;
}

function retentionMsOf(days: number | undefined): number | undefined {
  if (days === undefined) return undefined;
  if (!(Number.isInteger(days) && days > 0))
    throw new Error(`startSimulator: retentionDays must be a whole number of days above 0, got ${days}`);
  return days * 24 * 3_600_000;
}

function truth(ctx: SimContext, q: TruthQuery): ApiRow[] {
  const wanted = q.pbxIds ?? 'allpbxes';
  const pbxIndexes =
    wanted === 'allpbxes'
      ? ctx.pbxIds.flatMap((id, i) => (ctx.denied.has(id) ? [] : [i]))
      : wanted.map((id) => {
          const i = ctx.pbxIds.indexOf(id);
          if (i < 0) throw new Error(`truth(): '${id}' is not one of the simulator's PBXes`);
          return i;
        });
  const sel: Selection = {
    table: q.table,
    pbxIndexes,
    fromMs: q.fromMs,
    toMs: q.toMs,
    field: filterFieldOf(ctx, q.table, q.table === 'call-legs' && (q.isConnectTime ?? false)),
    isSimplified: q.table === 'call-legs' && (q.isSimplified ?? false),
  };
  const zone = q.timeZone ?? 'UTC';
  return visibleMatches(ctx.quirks, ctx.engine.select(sel, q.atMs ?? ctx.now())).map((m) =>
    renderRow(m.row, zone, ctx.look),
  );
}
