import { recordOf } from './call-record.js';
import type { PbxCatalog } from './catalog.js';
import { ringGroup } from './journey-ring-group.js';
import { direct, failed, type Journey, voicemail } from './journeys.js';
import { queue, transfer } from './journeys-routed.js';
import { type LegSpec, makeLeg } from './leg-factory.js';
import { hashSeed, pick, type Rng } from './prng.js';
import type { CallLegRow, CallRecordRow } from './rows.js';

/** No call lasts longer than this, so a query only needs the hour buckets that start 2 h before it. */
export const MAX_CALL_MS = 2 * 3_600_000;

/** One call: its legs (legId order), its record, when it ended, and a stable draw deciding whether it is late. */
export interface CallData {
  callId: string;
  pbxId: string;
  legs: CallLegRow[];
  record: CallRecordRow;
  endMs: number;
  /** In [0, 1): the call is late data when this is below `lateData.fraction`. */
  lateDraw: number;
}

const JOURNEYS: [weight: number, build: (j: Journey) => LegSpec[]][] = [
  [0.36, direct],
  [0.06, failed],
  [0.12, voicemail],
  [0.2, ringGroup],
  [0.11, transfer],
  [0.15, queue],
];

const DRIFT_RATE = 1 / 200;

/** Builds one call from the bucket's random stream. */
export function buildCall(rng: Rng, seed: number, cat: PbxCatalog, callId: string, start: number): CallData {
  const journey = pickJourney(rng());
  const specs = journey({ rng, cat, callId, start }).map((s) => clamp(s, start + MAX_CALL_MS));
  const ctx = { callId, pbxId: cat.pbxId, dnis: cat.dnis };
  const legs = specs.map((s) => drift(rng, makeLeg(rng, ctx, s)));
  const routed = legs.find(
    (l) => l.calleeSvcName === 'RingGroup' || l.calleeSvcName === 'ACDOperatorService',
  );
  const aaDestination = routed && routed.aaPath !== '' ? routed.calleeName : null;
  const record = drift(rng, recordOf(legs, aaDestination));
  const lateDraw = hashSeed(seed, 'late', callId) / 4294967296;
  return { callId, pbxId: cat.pbxId, legs, record, endMs: record.disconnectedTimeUTC, lateDraw };
}

function pickJourney(r: number): (j: Journey) => LegSpec[] {
  let rest = r;
  for (const [weight, build] of JOURNEYS) {
    rest -= weight;
    if (rest < 0) return build;
  }
  return direct;
}

// Mutates: specs are fresh objects, and copying them again costs more than the rest of the build.
function clamp(s: LegSpec, limit: number): LegSpec {
  s.disconnect = Math.min(s.disconnect, limit);
  s.start = Math.min(s.start, s.disconnect);
  if (s.connect > 0) s.connect = Math.min(Math.max(s.connect, s.start), s.disconnect);
  return s;
}

// Fields the docs never listed show up now and then; a reader must keep rather than reject them.
function drift<T extends { queueWaitBucket?: string; aiSummaryId?: string }>(rng: Rng, row: T): T {
  if (rng() >= DRIFT_RATE) return row;
  if (rng() < 0.5) row.queueWaitBucket = pick(rng, ['0-30s', '30-60s', '60s+']);
  else row.aiSummaryId = `ais_${Math.floor(rng() * 1e12).toString(36)}`;
  return row;
}
