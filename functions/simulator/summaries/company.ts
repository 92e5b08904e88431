import type { CallData } from '../call-builder.js';
import type { CallRecordRow } from '../rows.js';
import { avg, isOutside, percent } from './calls.js';

/** A row of `/v1/compsum`, in the field order of the spec's schema. */
export type CompanySummaryRow = { pbxId: string } & Record<string, string | number>;

interface Tally {
  total: number;
  answered: number;
  missed: number;
  abandoned: number;
}

const answered = (r: CallRecordRow) => r.answered === 'Answered';
const missed = (r: CallRecordRow) => r.missed === 'Missed';
const abandoned = (r: CallRecordRow) => r.abandoned === 'Abandoned';

/** Inbound and extension-to-extension calls: answered, missed, abandoned (a part of missed) as the record says. */
function received(records: CallRecordRow[]): Tally {
  const n = (test: (r: CallRecordRow) => boolean) => records.filter(test).length;
  return { total: records.length, answered: n(answered), missed: n(missed), abandoned: n(abandoned) };
}

/** Outbound calls: answered, or else abandoned by the caller, which the company summary also counts as missed. */
function placed(records: CallRecordRow[]): Tally {
  const ok = records.filter(answered).length;
  return { total: records.length, answered: ok, missed: records.length - ok, abandoned: records.length - ok };
}

/** The time until a call was abandoned: the record's for a received call, the whole call for a placed one. */
export function abandonedTimeOf(r: CallRecordRow): number {
  if (r.direction === 'Outgoing') return answered(r) ? 0 : r.callTime;
  return abandoned(r) ? r.abandonedTime : 0;
}

/** The company summary of one PBX's calls, computed from their call records only (see README.md). */
export function companyRow(pbxId: string, calls: readonly CallData[]): CompanySummaryRow {
  const records = calls.map((c) => c.record);
  const by = (direction: string) => records.filter((r) => r.direction === direction);
  const inbound = by('Incoming');
  const outbound = by('Outgoing');
  const e2e = received(by('Internal'));
  const inb = received(inbound);
  const out = placed(outbound);
  const extIn = received(inbound.filter((r) => isOutside(r.caller)));
  const intIn = received(inbound.filter((r) => !isOutside(r.caller)));
  const extOut = placed(outbound.filter((r) => isOutside(r.callee)));
  const intOut = placed(outbound.filter((r) => !isOutside(r.callee)));
  const sum = (f: (r: CallRecordRow) => number) => records.reduce((s, r) => s + f(r), 0);
  const totalAnswered = inb.answered + out.answered + e2e.answered;
  const totalAbandoned = inb.abandoned + out.abandoned + e2e.abandoned;
  const totalRingTime = sum((r) => r.ringDuration);
  const totalTalkTime = sum((r) => r.talkTimeMS);
  const totalAbandonedTime = sum(abandonedTimeOf);
  const totalCallTime = sum((r) => r.callTime);
  return {
    pbxId,
    inboundTotal: inb.total,
    outboundTotal: out.total,
    externalInboundTotal: extIn.total,
    externalInboundAnswered: extIn.answered,
    externalInboundAbandoned: extIn.abandoned,
    percentExternalInboundAnswered: percent(extIn.answered, extIn.total),
    externalInboundMissed: extIn.missed,
    externalOutboundTotal: extOut.total,
    externalOutboundAnswered: extOut.answered,
    percentExternalOutboundAnswered: percent(extOut.answered, extOut.total),
    externalOutboundAbandoned: extOut.abandoned,
    externalOutboundMissed: extOut.missed,
    internalInboundTotal: intIn.total,
    internalInboundAnswered: intIn.answered,
    internalInboundAbandoned: intIn.abandoned,
    internalInboundMissed: intIn.missed,
    internalOutboundTotal: intOut.total,
    internalOutboundAnswered: intOut.answered,
    internalOutboundAbandoned: intOut.abandoned,
    inboundAnswered: inb.answered,
    inboundAbandoned: inb.abandoned,
    inboundMissed: inb.missed,
    outboundAnswered: out.answered,
    outboundAbandoned: out.abandoned,
    totalAnswered,
    totalAbandoned,
    totalMissed: inb.missed + out.missed + e2e.missed,
    totalRingTime,
    totalTalkTime,
    totalCall: records.length,
    totalAbandonedTime,
    totalCallTime,
    avgRingTime: avg(totalRingTime, records.length),
    avgTalkTime: avg(totalTalkTime, totalAnswered),
    avgCallTime: avg(totalCallTime, records.length),
    avgAbandonedTime: avg(totalAbandonedTime, totalAbandoned),
    totalVm: records.filter((r) => r.lastLegDisposition === 'Voicemail').length,
    totalExtToExtAbandoned: e2e.abandoned,
    totalExtToExtAnswered: e2e.answered,
    totalExtToExt: e2e.total,
    totalExtToExtMissed: e2e.missed,
  };
}

/** Every row of the company summary with no call at all: what a disagreement adds to on a PBX's empty day. */
export function emptyCompanyRow(pbxId: string): CompanySummaryRow {
  return companyRow(pbxId, []);
}
