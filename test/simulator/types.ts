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
  /** This fraction of calls becomes visible only `delayMs` after the call ended (by `now`). */
  lateData?: { fraction: number; delayMs: number };
  /** Added to every report response (default 0). */
  latencyMs?: number;
  /** Report requests allowed per wall-clock second; above it 429 with Retry-After: 1. */
  rateLimitPerSecond?: number;
  /** Default '/analytics/work'. */
  basePath?: string;
  /** Port on 127.0.0.1; default 0 (a free port). */
  port?: number;
}

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

/** Faults of the report endpoints, mutable while the simulator runs. */
export interface FaultControl {
  latencyMs: number;
  rateLimitPerSecond?: number | undefined;
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
  /** Report requests per path relative to the base path, e.g. '/v2/call-legs'. */
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
  /** Half-open [fromMs, toMs) on the filter time, in ms. */
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

export type ApiRow = CallLegRow | CallRecordRow;

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
}
