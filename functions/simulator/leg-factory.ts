import type { Person } from './catalog.js';
import { type Rng, randInt } from './prng.js';
import { type CallLegRow, hms } from './rows.js';

/** One side of a leg: a number, its display name, and the 8x8 service behind it, if any. */
export interface Party {
  number: string;
  name: string;
  svcName: string | null;
  svcType: string | null;
  person?: Person;
}

/**
 * How a leg ended; decides the missed/abandoned/answered words, the cause and the last-party disposition.
 * `routed`: a ring group's or queue's own leg when one of its members or agents answered: the service answered
 * the call (so `legs_answered` counts it), the talk time is the member's, on the member's leg.
 */
export type Outcome = 'answered' | 'routed' | 'missed' | 'voicemail' | 'abandoned' | 'system' | 'busy';

export interface LegSpec {
  legId: number;
  start: number;
  /** 0 when the leg never connected. */
  connect: number;
  disconnect: number;
  from: Party;
  to: Party;
  direction: 'Incoming' | 'Outgoing' | 'Internal';
  outcome: Outcome;
  parentCallId?: string | null;
  transferToCallId?: string | null;
  holdMs?: number;
  lra?: string;
  lraType?: number;
  aaPath?: string;
  recordOn?: boolean;
}

const WORDS: Record<
  Outcome,
  [missed: string, abandoned: string, answered: string, cause: string, disp: string]
> = {
  answered: ['-', '-', 'Answered', 'Normal', 'Answered'],
  routed: ['-', '-', 'Answered', 'Normal', 'Answered'],
  missed: ['Missed', '-', '-', 'Ring No Answer', 'Missed'],
  voicemail: ['Missed', '-', '-', 'Ring No Answer', 'Voicemail'],
  abandoned: ['Missed', 'Abandoned', '-', 'Normal', 'Missed'],
  system: ['-', '-', '-', 'Normal', 'Answered'],
  busy: ['-', '-', '-', 'Busy', 'Busy'],
};

/** What all legs of one call share. */
export interface CallContext {
  callId: string;
  pbxId: string;
  dnis: string;
}

/** Builds a leg row; local-time fields stay empty (rendered per request), `connectTime` is "0" if never connected. */
export function makeLeg(rng: Rng, call: CallContext, s: LegSpec): CallLegRow {
  const [missed, abandoned, answered, cause, disp] = WORDS[s.outcome];
  const holdMs = s.holdMs ?? 0;
  const talkMs =
    s.outcome === 'answered' && s.connect > 0 ? Math.max(0, s.disconnect - s.connect - holdMs) : 0;
  const inside = s.direction === 'Outgoing' ? s.from.person : (s.to.person ?? s.from.person);
  const calleeDevice = s.outcome === 'answered' ? s.to.person : undefined;
  return {
    callId: call.callId,
    legId: String(s.legId),
    startTimeUTC: s.start,
    startTime: '',
    connectTimeUTC: s.connect,
    connectTime: s.connect > 0 ? '' : '0',
    disconnectedTimeUTC: s.disconnect,
    disconnectedTime: '',
    talkTimeMS: talkMs,
    talkTime: hms(talkMs),
    caller: s.from.number,
    callerName: s.from.name,
    callee: s.to.number,
    calleeName: s.to.name,
    lra: s.lra ?? s.to.number,
    direction: s.direction,
    parentCallId: s.parentCallId ?? null,
    transferToCallId: s.transferToCallId ?? null,
    dnis: s.direction === 'Incoming' ? call.dnis : s.to.number.replace('+', ''),
    status: 'Completed',
    callerDeviceId: s.from.person?.deviceId ?? null,
    calleeDeviceId: calleeDevice?.deviceId ?? null,
    callerDeviceModel: s.from.person?.deviceModel ?? '',
    calleeDeviceModel: calleeDevice?.deviceModel ?? '',
    callerId: `${s.from.name},${s.from.number}`,
    missed,
    abandoned,
    answered,
    cause,
    callerSvcName: s.from.svcName,
    callerSvcType: s.from.svcType,
    calleeSvcName: s.to.svcName,
    calleeSvcType: s.to.svcType,
    lraType: s.lraType ?? 1,
    calleeHoldDurationMS: holdMs,
    calleeHoldDuration: hms(holdMs),
    calleeDisconnectOnHold: '',
    callerDisconnectOnHold: '',
    pbxId: call.pbxId,
    sipCallId: `${randInt(rng, 1e8, 999_999_999)}_${randInt(rng, 1e8, 999_999_999)}@206.147.76.${randInt(rng, 2, 250)}`,
    departments: inside ? inside.departments : null,
    branches: inside ? inside.branches : null,
    recordServiceOn: s.recordOn ? 'Y' : '',
    bargeServiceOn: '',
    masterSlaveExts: '',
    propsLastPartyDisp: disp,
    accountCode: '',
    aaPath: s.aaPath ?? '',
    callTime: s.disconnect - s.start,
  };
}

/** A PBX user as a party. */
export function userParty(p: Person): Party {
  return { number: p.ext, name: p.name, svcName: null, svcType: null, person: p };
}

/** An 8x8 service (voicemail, ring group, queue, recording) as a party. */
export function serviceParty(number: string, name: string, svcName: string): Party {
  return { number, name, svcName, svcType: 'Custom' };
}
