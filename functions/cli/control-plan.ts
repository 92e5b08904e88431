import { createHash } from 'node:crypto';
import { API_RETENTION_MS, type ControlMessage, parseControlMessage } from '../core/control-message.js';
import { ALL_PBXES, type PbxScope } from '../core/page-task.js';
import { type Window, windowId, windowsFor } from '../core/windows.js';
import { isoOf, type TableChoice, tablesOf } from './ops-args.js';

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/** The planner's defaults (the stack's `maxRerunDays` and the planner's MAX_CHAINS_PER_RUN). */
export const DEFAULT_MAX_DAYS = 31;
export const DEFAULT_MAX_CHAINS = 2000;

/** What a rerun or a backfill asks: tables, range, PBX scope (absent: the stack's), grid. */
export interface ControlRequest {
  table: TableChoice;
  fromMs: number;
  toMs: number;
  pbx?: PbxScope;
  gridMinutes: number;
}

/** One control message and what the planner will make of it. */
export interface PlannedMessage {
  /** Deterministic: the same request always has the same id (and FIFO deduplication id). */
  id: string;
  message: ControlMessage;
  windows: Window[];
  chains: number;
}

/**
 * The id of a control message: `<kind>.<table>.<from>-<to>[.p<hash>]`, e.g.
 * `backfill.call-legs.20250101T000000Z-20250201T000000Z`. Under 128 characters of `[A-Za-z0-9.-]`.
 */
export function messageIdOf(kind: 'rerun' | 'backfill', request: ControlRequest): string {
  const stamp = (ms: number) => isoOf(ms).replace(/[-:]/g, '');
  const scope =
    request.pbx === undefined || request.pbx === ALL_PBXES
      ? ''
      : `.p${createHash('sha256').update(request.pbx.join(',')).digest('hex').slice(0, 16)}`;
  return `${kind}.${request.table}.${stamp(request.fromMs)}-${stamp(request.toMs)}${scope}`;
}

/** The message of a request, with the windows and chains it expands to on the grid. */
export function planMessage(kind: 'rerun' | 'backfill', request: ControlRequest): PlannedMessage {
  const windows = windowsFor(request.fromMs, request.toMs, request.gridMinutes);
  const message: ControlMessage = {
    v: 1,
    kind: 'rerun',
    table: request.table,
    from: isoOf(request.fromMs),
    to: isoOf(request.toMs),
    ...(request.pbx === undefined ? {} : { pbx: request.pbx }),
  };
  return {
    id: messageIdOf(kind, request),
    message,
    windows,
    chains: windows.length * tablesOf(request.table).length,
  };
}

/**
 * Why the planner would refuse a message, checked here with its own bounds (`parseControlMessage`, and the
 * chain cap of `planRerun`); undefined when it would accept it.
 */
export function refusalOf(
  planned: PlannedMessage,
  nowMs: number,
  bounds: { maxDays: number; maxChains: number },
): string | undefined {
  const parsed = parseControlMessage(planned.message, nowMs, bounds.maxDays);
  if (!parsed.ok) return parsed.error;
  if (planned.chains > bounds.maxChains) {
    return (
      `control message refused: it needs ${planned.chains} chains, over the planner's limit of ` +
      `${bounds.maxChains}: split the range (walake backfill does)`
    );
  }
  return undefined;
}

/**
 * A backfill cut into messages within the planner's caps: each spans at most `maxDays` days and
 * `maxChains` chains. The range is first expanded to whole grid windows; cuts fall on UTC midnights (or, when a
 * day holds more chains than one message may, on window edges within the day), so no window is ever split.
 */
export function splitBackfill(
  request: ControlRequest,
  bounds: { maxDays: number; maxChains: number },
): PlannedMessage[] {
  const step = request.gridMinutes * MINUTE_MS;
  const tables = tablesOf(request.table).length;
  const dayWindows = DAY_MS / step;
  const perMessage = Math.min(bounds.maxDays * dayWindows, Math.floor(bounds.maxChains / tables));
  if (perMessage < 1) throw new RangeError(`--max-chains must be at least ${tables} (one window per table)`);
  const end = Math.ceil(request.toMs / step) * step;
  const messages: PlannedMessage[] = [];
  for (let cursor = Math.floor(request.fromMs / step) * step; cursor < end; ) {
    const day = Math.floor(cursor / DAY_MS) * DAY_MS;
    const next =
      perMessage >= dayWindows
        ? day + Math.floor(perMessage / dayWindows) * DAY_MS
        : Math.min(cursor + perMessage * step, day + DAY_MS);
    const to = Math.min(next, end);
    messages.push(planMessage('backfill', { ...request, fromMs: cursor, toMs: to }));
    cursor = to;
  }
  return messages;
}

/**
 * An estimate of the API requests of `chains` chains: each takes its pages and then the final "No Data"
 * answer, and most windows fit in one page of 7000 rows. It is an estimate: busy windows take more pages.
 */
export function estimateRequests(chains: number, pagesPerChain = 1): number {
  return chains * (1 + pagesPerChain);
}

/** The earliest start a message sent now may have and still be accepted a day from now. */
export function earliestStart(nowMs: number): number {
  return nowMs - API_RETENTION_MS + DAY_MS;
}

/** `20261127T0000Z-60m .. 20261127T2300Z-60m` (24 windows). */
export function describeWindows(windows: readonly Window[]): string {
  const first = windows[0];
  const last = windows.at(-1);
  if (!first || !last) return 'no windows';
  const span = first === last ? windowId(first) : `${windowId(first)} .. ${windowId(last)}`;
  return `${windows.length} window${windows.length === 1 ? '' : 's'}: ${span}`;
}
