import { type CallLegRow, type CallRecordRow, hms } from './rows.js';

/** Legs that `isSimplified=true` leaves out: fan-out children, and forking or recording legs. */
export function isChildLeg(leg: CallLegRow): boolean {
  return (
    leg.parentCallId !== null || leg.calleeSvcName === 'CallForking' || leg.calleeSvcName === 'CallRecording'
  );
}

/**
 * The one call record of a call, derived from its legs (in legId order) so that the two tables agree: same
 * callId, start of the first leg, disconnect of the last, leg count, talk time and the call's outcome.
 */
export function recordOf(legs: CallLegRow[], aaDestination: string | null): CallRecordRow {
  const first = legs[0];
  if (!first) throw new Error('a call has at least one leg');
  const start = Math.min(...legs.map((l) => l.startTimeUTC));
  const end = Math.max(...legs.map((l) => l.disconnectedTimeUTC));
  // The person who answered, not the ring group or queue that put the call through to them.
  const answered =
    legs.find((l) => l.answered === 'Answered' && l.calleeSvcName === null) ??
    legs.find((l) => l.answered === 'Answered');
  const abandoned = legs.some((l) => l.abandoned === 'Abandoned');
  const missed = !answered && legs.some((l) => l.missed === 'Missed');
  const talkMs = legs.reduce((sum, l) => sum + l.talkTimeMS, 0);
  const holdMs = legs.reduce((sum, l) => sum + l.calleeHoldDurationMS, 0);
  const connects = legs.map((l) => l.connectTimeUTC).filter((t) => t > 0);
  const firstConnect = connects.length > 0 ? Math.min(...connects) : end;
  const queueLeg = legs.find((l) => l.calleeSvcName === 'ACDOperatorService');
  const waitMs = queueLeg ? queueLeg.disconnectedTimeUTC - queueLeg.connectTimeUTC : 0;
  // The last party that mattered: recording and forking legs say nothing about how the call ended.
  const last = [...legs]
    .filter((l) => l.calleeSvcName !== 'CallRecording' && l.calleeSvcName !== 'CallForking')
    .sort((a, b) => a.disconnectedTimeUTC - b.disconnectedTimeUTC || Number(a.legId) - Number(b.legId))
    .at(-1);
  return {
    dnis: first.dnis,
    aaDestination,
    callId: first.callId,
    startTimeUTC: start,
    startTime: '',
    connectTimeUTC: answered ? answered.connectTimeUTC : 0,
    connectTime: answered ? '' : '0',
    disconnectedTimeUTC: end,
    disconnectedTime: '',
    talkTimeMS: talkMs,
    talkTime: hms(talkMs),
    caller: first.caller,
    callerName: first.callerName,
    callee: first.callee,
    calleeName: first.calleeName,
    lra: last?.lra ?? first.lra,
    direction: first.direction,
    callerId: first.callerId,
    missed: missed ? 'Missed' : '-',
    abandoned: abandoned ? 'Abandoned' : '-',
    answered: answered ? 'Answered' : '-',
    answeredTime: answered ? answered.connectTimeUTC - start : 0,
    calleeDisconnectOnHold: '',
    callerDisconnectOnHold: '',
    pbxId: first.pbxId,
    sipCallId: first.sipCallId,
    lastLegDisposition: last?.propsLastPartyDisp ?? first.propsLastPartyDisp,
    callLegCount: String(legs.length),
    callTime: end - start,
    ringDuration: firstConnect - start,
    abandonedTime: abandoned ? end - start : 0,
    calleeHoldDurationMS: holdMs,
    calleeHoldDuration: hms(holdMs),
    waitTimeMS: waitMs,
    waitTime: hms(waitMs),
    departments: first.departments,
    branches: first.branches,
  };
}
