import type { CallData } from '../call-builder.js';
import type { PbxCatalog, Person } from '../catalog.js';
import type { CallLegRow } from '../rows.js';
import { avg, isOutside, percent } from './calls.js';
import { nameParts, placedByUser, rangUser, ringTimeOf, siteOf, toVoicemailOf } from './people.js';

/** A row of `/v2/extsum`, in the field order of the spec's schema. */
export type ExtensionSummaryRow = Record<string, string | number>;

interface Side {
  total: number;
  answered: number;
  abandoned: number;
  missed: number;
}
const zero = (): Side => ({ total: 0, answered: 0, abandoned: 0, missed: 0 });

/** What one user's calls add up to, before the row is written. */
class UserTally {
  readonly extIn = zero();
  readonly intIn = zero();
  readonly extOut = zero();
  readonly intOut = zero();
  vm = 0;
  ring = 0;
  inTalk = 0;
  outTalk = 0;
  abandonedTime = 0;
  callTime = 0;

  add(call: CallData, ext: string): void {
    const r = call.record;
    const rung = call.legs.filter((l) => rangUser(l, ext));
    const box = call.legs.filter((l) => toVoicemailOf(l, ext));
    const own = call.legs.filter((l) => placedByUser(l, ext));
    const legs = [...rung, ...box, ...own];
    if (legs.length === 0) return;
    this.callTime += legs.reduce((s, l) => s + l.callTime, 0);
    this.ring += [...rung, ...own].reduce((s, l) => s + ringTimeOf(l), 0);
    if (rung.length > 0 || box.length > 0) {
      // Reached this user: answered by them, or missed by them (abandoned if the caller gave up).
      const side = isOutside(r.caller) ? this.extIn : this.intIn;
      const took = rung.some((l) => l.answered === 'Answered');
      const gaveUp = !took && r.abandoned === 'Abandoned';
      count(side, took, !took, gaveUp);
      if (box.length > 0) this.vm++;
      this.inTalk += talk(rung);
      if (gaveUp) this.abandonedTime += r.abandonedTime;
    } else {
      // Placed by this user: answered, or else abandoned.
      const side = isOutside(r.callee) ? this.extOut : this.intOut;
      const ok = r.answered === 'Answered';
      count(side, ok, false, !ok);
      this.outTalk += talk(own);
      if (!ok) this.abandonedTime += r.callTime;
    }
  }
}

function count(side: Side, answered: boolean, missed: boolean, abandoned: boolean): void {
  side.total++;
  if (answered) side.answered++;
  if (missed) side.missed++;
  if (abandoned) side.abandoned++;
}

const talk = (legs: CallLegRow[]) => legs.reduce((s, l) => s + l.talkTimeMS, 0);
const plus = (a: Side, b: Side): Side => ({
  total: a.total + b.total,
  answered: a.answered + b.answered,
  abandoned: a.abandoned + b.abandoned,
  missed: a.missed + b.missed,
});

/** The extension summary of one PBX: a row per user with at least one call, by extension (see README.md). */
export function extensionRows(cat: PbxCatalog, calls: readonly CallData[]): ExtensionSummaryRow[] {
  const users = [...cat.users].sort((a, b) => (a.ext < b.ext ? -1 : a.ext > b.ext ? 1 : 0));
  return users.flatMap((user) => {
    const t = new UserTally();
    for (const call of calls) t.add(call, user.ext);
    const inbound = plus(t.extIn, t.intIn);
    const outbound = plus(t.extOut, t.intOut);
    if (inbound.total + outbound.total === 0) return [];
    return [row(cat.pbxId, user, t, inbound, outbound)];
  });
}

function row(pbxId: string, user: Person, t: UserTally, inbound: Side, outbound: Side): ExtensionSummaryRow {
  const { firstName, lastName } = nameParts(user);
  const { branch, department } = siteOf(user);
  const answered = inbound.answered + outbound.answered;
  const abandoned = inbound.abandoned + outbound.abandoned;
  const talkTime = t.inTalk + t.outTalk;
  return {
    PbxId: pbxId,
    Extension: user.ext,
    ServiceType: 'UE',
    FirstName: firstName,
    LastName: lastName,
    Branch: branch,
    Department: department,
    External_Inbound_Total: t.extIn.total,
    External_Inbound_Answered: t.extIn.answered,
    External_Inbound_Abandoned: t.extIn.abandoned,
    Percent_External_Inbound_Answered: percent(t.extIn.answered, t.extIn.total),
    External_Inbound_Missed: t.extIn.missed,
    External_Outbound_Total: t.extOut.total,
    External_Outbound_Answered: t.extOut.answered,
    Percent_External_Outbound_Answered: percent(t.extOut.answered, t.extOut.total),
    External_Outbound_Abandoned: t.extOut.abandoned,
    Internal_Inbound_Total: t.intIn.total,
    Internal_Inbound_Answered: t.intIn.answered,
    Internal_Inbound_Abandoned: t.intIn.abandoned,
    Internal_Inbound_Missed: t.intIn.missed,
    Internal_Outbound_Total: t.intOut.total,
    Internal_Outbound_Answered: t.intOut.answered,
    Internal_Outbound_Abandoned: t.intOut.abandoned,
    Inbound_Total: inbound.total,
    Inbound_Answered: inbound.answered,
    Inbound_Abandoned: inbound.abandoned,
    Inbound_Missed: inbound.missed,
    Total_Calls_To_VM: t.vm,
    Outbound_Total: outbound.total,
    Outbound_Answered: outbound.answered,
    Outbound_Abandoned: outbound.abandoned,
    Total_Answered: answered,
    Total_Abandoned: abandoned,
    Total_Missed: inbound.missed,
    Total_Ring_Time: t.ring,
    Total_Talk_Time: talkTime,
    Total_Abandoned_Time: t.abandonedTime,
    Total_Call_Time: t.callTime,
    Avg_Ring_Time: avg(t.ring, inbound.total + outbound.total),
    Avg_Talk_Time: avg(talkTime, answered),
    Inbound_Talk_Time: t.inTalk,
    Outbound_Talk_Time: t.outTalk,
    Avg_Abandoned_Time: avg(t.abandonedTime, abandoned),
    Email: `${user.ext}@${pbxId}.example.com`,
    UserName: `user${user.ext}.${pbxId}`,
  };
}
