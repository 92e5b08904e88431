import { hashSeed, mulberry32 } from './prng.js';
import type { CallLegRow, CallRecordRow } from './rows.js';
import { formatLocal } from './time-zone.js';
import { type ApiRow, BIG_INTEGER_FIELD } from './types.js';

/** How rows look on the wire beyond the data set: the knobs for what the docs leave open. */
export interface RowLook {
  seed: number;
  wideFraction: number;
  nullCallIdFraction: number;
  bigIntegers: boolean;
  /** This fraction of rows has a caller name cut inside a surrogate pair (a lone high surrogate at its end). */
  loneSurrogateFraction?: number;
}

export const PLAIN_LOOK: RowLook = { seed: 1, wideFraction: 0, nullCallIdFraction: 0, bigIntegers: false };

/** The high half of 😀 (U+1F600): what is left of the emoji when a name is cut after its first code unit. */
export const LONE_HIGH_SURROGATE = '\ud83d';

/** A draw in [0, 1) fixed by the row and the purpose, so answers and truth() agree on every request. */
function draw(look: RowLook, purpose: string, row: CallLegRow | CallRecordRow): number {
  return mulberry32(hashSeed(look.seed, purpose, row.callId, 'legId' in row ? row.legId : '-'))();
}

/**
 * A stored row as served: local-time fields written in `zone` (never-connected rows keep connectTime "0"),
 * then the configured looks (null callIds, epoch-ms "durations", a huge undocumented integer).
 */
export function renderRow(row: CallLegRow | CallRecordRow, zone: string, look: RowLook): ApiRow {
  const out = { ...row };
  out.startTime = formatLocal(row.startTimeUTC, zone);
  if (row.connectTimeUTC > 0) out.connectTime = formatLocal(row.connectTimeUTC, zone);
  out.disconnectedTime = formatLocal(row.disconnectedTimeUTC, zone);
  if (look.wideFraction > 0 && !('legId' in out) && draw(look, 'wide', row) < look.wideFraction) {
    // The instants the durations end at, in epoch ms: what a client assuming 32-bit durations cannot hold.
    if (out.answeredTime > 0) out.answeredTime += out.startTimeUTC;
    if (out.abandonedTime > 0) out.abandonedTime += out.startTimeUTC;
    if (out.ringDuration > 0) out.ringDuration += out.startTimeUTC;
  }
  const served: ApiRow = out;
  if (look.nullCallIdFraction > 0 && draw(look, 'null-call-id', row) < look.nullCallIdFraction) {
    served.callId = null;
  }
  const lone = look.loneSurrogateFraction ?? 0;
  if (lone > 0 && draw(look, 'lone-surrogate', row) < lone) {
    served.callerName = `${row.callerName} ${LONE_HIGH_SURROGATE}`;
  }
  if (look.bigIntegers) served[BIG_INTEGER_FIELD] = bigIntegerOf(row);
  return served;
}

/**
 * The undocumented integer of a row: callId, legId and a last digit 7, about 1.8e17, far beyond 2^53 and not a
 * double (doubles there are 32 apart), so any client that parses it as a JS number changes its digits.
 */
export function bigIntegerOf(row: CallLegRow | CallRecordRow): bigint {
  const leg = 'legId' in row ? BigInt(row.legId) : 0n;
  return BigInt(row.callId) * 10_000n + leg * 10n + 7n;
}

const MARK = '\u0000bigint:';

/** JSON text of a body; bigints become bare JSON numbers with their exact digits. */
export function stringifyBody(body: unknown, bigIntegers: boolean): string {
  if (!bigIntegers) return JSON.stringify(body);
  const text = JSON.stringify(body, (_key, value: unknown) =>
    typeof value === 'bigint' ? `${MARK}${value}` : value,
  );
  // JSON.stringify escapes the NUL of the mark, which no catalog text contains.
  return text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1');
}
