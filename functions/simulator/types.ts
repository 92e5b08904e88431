import type { CallLegRow, CallRecordRow } from './rows.js';

/** Options of {@link startSimulator}; every field has a default. */
export interface SimulatorOptions {
  /** Data set seed (default 1): the same seed always yields the same calls. */
  seed?: number;
  /** Accepted API key, username and password (defaults 'sim-api-key', 'analyst@example.com', 'sim-password'). */
  apiKey?: string;
  username?: string;
  password?: string;
  /** `expires_in` of issued tokens in seconds (default 1800); tokens really expire then, by `now`. */
  tokenTtlSeconds?: number;
  /** The account's PBXes (default ['acmecorp', 'acmecorp2', 'acme-eu']); at most 100. */
  pbxIds?: string[];
  /** PBXes the user may not read: asking for one answers 403; `allpbxes` leaves them out. */
  deniedPbxIds?: string[];
  /** false: reports answer 400 with code '105-400-038' (no Analytics licence). Default true. */
  analyticsAccess?: boolean;
  /** Mean calls per hour per PBX (default 40), shaped by business hours; at most 99999 in any hour. */
  callsPerHour?: number;
  /** Zone whose business hours shape the traffic (default 'America/New_York'); rows use the request's zone. */
  timeZone?: string;
  /** Clock (epoch ms) for token expiry, the 2-year limit and data visibility; default Date.now. */
  now?: () => number;
  /**
   * Days of history served (default 730, the docs' "last 2 years"): older rows are answered as `No Data`, as if
   * there were none. Fewer days reproduce an account whose retention is shorter than the docs say.
   */
  retentionDays?: number;
  /** This fraction of calls becomes visible only `delayMs` after the call ended (by `now`). */
  lateData?: { fraction: number; delayMs: number };
  /** Added to every report response (default 0). */
  latencyMs?: number;
  /** Report requests allowed per wall-clock second; above it 429 with Retry-After: 1. */
  rateLimitPerSecond?: number;
  /**
   * The clock (ms) whose seconds the rate limit counts; default the machine's monotonic clock. A test that
   * asserts how many requests of a burst pass gives its own, so the answer does not depend on the machine's speed.
   */
  rateClock?: () => number;
  /** Default '/analytics/work'. */
  basePath?: string;
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /**
   * The PBXes `GET /v2/pbxes/` lists with `deleted: true`; reports refuse them as unknown PBX ids. They are not
   * part of `pbxIds` (default none).
   */
  deletedPbxIds?: string[];

  // Where the docs are silent: what the real API might do, for the pipeline's tests to reproduce.

  /** The time `/v2/call-records` filters and sorts on (default 'disconnectedTimeUTC'). */
  recordsFilterField?: RecordsFilterField;
  /**
   * The time `/v2/call-legs` filters and sorts on when `isConnectTime` is false (default 'disconnectedTimeUTC',
   * as the docs say); `isConnectTime=true` always filters on `connectTimeUTC`.
   */
  legsFilterField?: LegsFilterField;
  /**
   * Whether rows whose filter time lies in the second `startTime` names are returned (default true). The API
   * compares whole seconds, so false leaves out the whole start second.
   */
  startInclusive?: boolean;
  /** Whether rows in the second `endTime` names are returned (default true: the docs' inclusive end second). */
  endInclusive?: boolean;
  /**
   * This fraction of call records carries epoch milliseconds (the instant, not a duration) in `answeredTime`,
   * `abandonedTime` and `ringDuration`, the fields whose unit the docs leave open; a zero stays zero.
   */
  wideValues?: { fraction: number };
  /**
   * Every row carries the undocumented field {@link BIG_INTEGER_FIELD} holding an integer beyond 2^53, written
   * with its exact digits; `truth()` gives it as a `bigint` (JSON.parse would round it).
   */
  bigDriftIntegers?: boolean;
  /**
   * This fraction of rows (drawn per row) has a `callerName` cut inside a surrogate pair: it ends in a lone
   * high surrogate, which the JSON answer writes as `\ud83d`, in answers and `truth()` alike.
   */
  loneSurrogateFraction?: number;
  /** This fraction of rows (legs and records, drawn per row) has `callId: null`, in answers and `truth()` alike. */
  nullCallIdFraction?: number;
  /**
   * The shape of the scrollIds handed out (default 'base64', the documented one): 'jwt' (three base64url parts
   * joined by dots, signed), 'uuid' (looked up on the server), 'urlencoded' (text with `%` escapes). All stay
   * opaque and replayable.
   */
  cursorFormat?: CursorFormat;
  /**
   * This fraction of rows (drawn per row) is ingested only once `afterRequests` report requests have been
   * answered, whatever its times: a chain running then finds it behind its cursor, never served to it, while
   * its later pages' totalRecordCount counts it. `truth()` shows what the next request would see.
   */
  ingestDelay?: { fraction: number; afterRequests: number };
  /** The most rows a page holds, whatever `pageSize` asked, without saying so (default: as asked). */
  servedPageSize?: number;
  /**
   * Rows of the request's first and last second are served twice in a row (a cursor that repeats them), while
   * totalRecordCount counts each once (default false).
   */
  duplicateEdgeRows?: boolean;
  /**
   * false (default): every page but the last holds `pageSize` rows, as a keyset scroll does. true: pages are
   * cut short of `pageSize` (between three quarters of it and one row less, fixed by the page's position, so a
   * replayed cursor gets the same page), as an API that cuts pages on a byte budget or at shard boundaries
   * would; only an empty answer ends the chain.
   */
  raggedPages?: boolean;

  // The summaries (/v1/compsum, /v2/extsum, /v2/rgsum-groups, /v2/rgsum-members): see README.md for each measure.

  /**
   * The time of a call that decides which request interval (which day) the summaries count it in (default
   * 'startTimeUTC'); 'disconnectedTimeUTC' counts calls by their end, as an account might.
   */
  summaryTimeField?: SummaryTimeField;
  /** Measures of the company summary made to disagree with the calls on purpose (default none); mutable later. */
  summaryDisagreements?: SummaryDisagreement[];
  /**
   * Whether `/v2/rgsum-members` requires `extId` (default 'required', as the guide says); 'optional' (as the
   * spec has it) answers every ring group of the PBXes when it is left out.
   */
  ringGroupMembersExtId?: 'required' | 'optional';
}

/** The call time a summary counts a call by. */
export type SummaryTimeField = 'startTimeUTC' | 'disconnectedTimeUTC';

/**
 * One measure of one PBX's company summary for one day, off by `by` on purpose: added to the computed value of
 * every `/v1/compsum` answer whose interval covers that whole day; no other field changes.
 */
export interface SummaryDisagreement {
  pbxId: string;
  /** YYYY-MM-DD in `timeZone`. */
  day: string;
  /** Zone of `day` (default 'UTC'). */
  timeZone?: string;
  /** A count or duration of `/v1/compsum`, e.g. 'totalCall' or 'totalTalkTime'. */
  measure: string;
  /** A whole number added to the measure; negative takes away. */
  by: number;
}

export type RecordsFilterField = 'disconnectedTimeUTC' | 'startTimeUTC';
export type LegsFilterField = 'disconnectedTimeUTC' | 'connectTimeUTC';
/** Any field a report may filter on. */
export type FilterField = RecordsFilterField | LegsFilterField;
export type CursorFormat = 'base64' | 'jwt' | 'uuid' | 'urlencoded';

/** The undocumented field that {@link SimulatorOptions.bigDriftIntegers} adds to every row. */
export const BIG_INTEGER_FIELD = 'sequenceId';

/** A fault that {@link FaultControl.plan} may inject into one report request. */
export type Fault =
  | { kind: '429'; retryAfter?: string }
  | { kind: '5xx'; status?: number }
  | { kind: 'truncated' }
  | { kind: 'reset' }
  | { kind: 'delay'; ms: number }
  | { kind: 'reject-scroll' }
  | { kind: 'json-shape' };

/** What the fault plan sees of a report request; `n` counts report requests from 1. */
export interface FaultRequest {
  /** Relative to the base path, e.g. '/v2/call-legs'. */
  path: string;
  query: Record<string, string>;
  n: number;
}

/** Faults of the report endpoints and `/v2/pbxes/`, mutable while the simulator runs. */
export interface FaultControl {
  latencyMs: number;
  rateLimitPerSecond?: number | undefined;
  /** The clock (ms) whose seconds `rateLimitPerSecond` counts. */
  rateClock: () => number;
  /** Called for every report request (never for the token endpoint); its fault wins over the rates below. */
  plan?: ((req: FaultRequest) => Fault | undefined) | undefined;
  /** Probabilities per report request, drawn from a seeded generator. */
  errorRate5xx: number;
  rate429: number;
  /** Retry-After of the probabilistic 429s (default 1). */
  retryAfterSeconds: number;
  truncatedRate: number;
}

/** Counters of what the simulator did; tests read them (e.g. to check that tokens never leak). */
export interface SimulatorStats {
  /** Successful logins, and refused ones. */
  logins: number;
  loginFailures: number;
  /** Report and PBX-list requests per path relative to the base path, e.g. '/v2/call-legs', '/v2/pbxes/'. */
  reportRequests: Record<string, number>;
  /** Responses per HTTP status, token endpoint included. */
  responses: Record<number, number>;
  /** 200 report answers with at least one row, and the rows in them. */
  pagesServed: number;
  rowsServed: number;
  /** 'No Data' answers (ends of chains and empty results). */
  noDataServed: number;
  /** Every access token issued, in order. */
  issuedTokens: string[];
}

/** A window to compute the expected rows of (see {@link Simulator.truth}). */
export interface TruthQuery {
  table: 'call-legs' | 'call-records';
  /** Half-open [fromMs, toMs) on the configured filter time (see `recordsFilterField`, `legsFilterField`), in ms. */
  fromMs: number;
  toMs: number;
  /** Default 'allpbxes' (the PBXes the user may read). */
  pbxIds?: string[] | 'allpbxes';
  isConnectTime?: boolean;
  isSimplified?: boolean;
  /** Visibility instant (late data, 2-year limit); default now(). */
  atMs?: number;
  /** Zone of the local-time fields; default 'UTC'. */
  timeZone?: string;
}

/**
 * A row as served and as `truth()` gives it: `callId` may be null (`nullCallIdFraction`), and with
 * `bigDriftIntegers` the field {@link BIG_INTEGER_FIELD} holds a `bigint`.
 */
export type Served<T extends CallLegRow | CallRecordRow> = T extends unknown
  ? Omit<T, 'callId'> & { callId: string | null; sequenceId?: bigint }
  : never;
export type ApiRow = Served<CallLegRow> | Served<CallRecordRow>;

/** A running simulator. */
export interface Simulator {
  /** e.g. http://127.0.0.1:PORT/analytics/work */
  baseUrl: string;
  apiKey: string;
  username: string;
  password: string;
  close(): Promise<void>;
  faults: FaultControl;
  stats: SimulatorStats;
  /** The exact rows a window should contain, in the API's order. */
  truth(q: TruthQuery): ApiRow[];
  /** Every issued token becomes invalid: the next report request with one answers 401 invalid_token. */
  revokeTokens(): void;
  /** The disagreements of the company summary, checked on each request; push or splice to change them. */
  summaryDisagreements: SummaryDisagreement[];
}
