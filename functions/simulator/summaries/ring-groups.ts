import type { CallData } from '../call-builder.js';
import type { PbxCatalog, RingGroup } from '../catalog.js';
import type { CallLegRow } from '../rows.js';
import { avg } from './calls.js';
import { nameParts, ringTimeOf, siteOf, toVoicemailOf } from './people.js';

/** A row of `/v2/rgsum-groups` or `/v2/rgsum-members`. */
export type RingGroupSummaryRow = Record<string, string | number>;

/** One call to a ring group: the group's own leg and the legs that rang its members in person. */
export interface RingGroupCall {
  call: CallData;
  groupLeg: CallLegRow;
  memberLegs: CallLegRow[];
}

/** The calls of a ring group among a PBX's calls: those with a leg to the group itself. */
export function callsOfGroup(group: RingGroup, calls: readonly CallData[]): RingGroupCall[] {
  return calls.flatMap((call) => {
    const groupLeg = call.legs.find((l) => l.calleeSvcName === 'RingGroup' && l.callee === group.ext);
    if (!groupLeg) return [];
    const memberLegs = call.legs.filter(
      (l) => l.parentCallId !== null && l.lra === group.ext && l.calleeSvcName === null,
    );
    return [{ call, groupLeg, memberLegs }];
  });
}

/** When the members stopped ringing: a member answered, or the last of them gave up. */
function ringEnd(c: RingGroupCall): number {
  const taken = c.memberLegs.find((l) => l.answered === 'Answered');
  if (taken) return taken.connectTimeUTC;
  const ends = c.memberLegs.map((l) => l.disconnectedTimeUTC);
  return ends.length > 0 ? Math.max(...ends) : c.groupLeg.disconnectedTimeUTC;
}

/** The ring group summary of one PBX: a row per ring group with at least one call (see README.md). */
export function ringGroupRows(cat: PbxCatalog, calls: readonly CallData[]): RingGroupSummaryRow[] {
  return cat.ringGroups.flatMap((group) => {
    const own = callsOfGroup(group, calls);
    if (own.length === 0) return [];
    const answered = own.filter((c) => c.memberLegs.some((l) => l.answered === 'Answered'));
    const abandoned = own.filter((c) => c.call.record.abandoned === 'Abandoned');
    const toVm = own.filter((c) => c.call.legs.some((l) => toVoicemailOf(l, group.ext)));
    const advanced = own.filter((c) => !answered.includes(c) && !abandoned.includes(c) && !toVm.includes(c));
    const members = new Set(own.flatMap((c) => c.memberLegs.map((l) => l.callee)));
    const sum = (list: RingGroupCall[], f: (c: RingGroupCall) => number) =>
      list.reduce((s, c) => s + f(c), 0);
    const rgTime = sum(own, (c) => ringEnd(c) - c.groupLeg.startTimeUTC);
    const ringTime = sum(own, (c) =>
      c.memberLegs.length > 0 ? ringEnd(c) - Math.min(...c.memberLegs.map((l) => l.startTimeUTC)) : 0,
    );
    const talkTime = sum(own, (c) => c.memberLegs.reduce((s, l) => s + l.talkTimeMS, 0));
    const abandonedTime = sum(abandoned, (c) => c.call.record.abandonedTime);
    return [
      {
        pbxId: cat.pbxId,
        site: group.site,
        name: group.name,
        extension: group.ext,
        totalMembers: members.size,
        totalInbound: own.filter((c) => c.call.record.direction === 'Incoming').length,
        totalAbandoned: abandoned.length,
        totalAnswered: answered.length,
        totalMissed: own.length - answered.length,
        totalCallsToVM: toVm.length,
        totalAdvanced: advanced.length,
        totalRgTime: rgTime,
        totalTalkTime: talkTime,
        totalCalls: own.length,
        avgAbandonedTime: avg(abandonedTime, abandoned.length),
        avgRgTime: avg(rgTime, own.length),
        avgRingTime: avg(ringTime, own.length),
        avgTalkTime: avg(talkTime, answered.length),
        totalAbandonedTime: abandonedTime,
        totalRingTime: ringTime,
      },
    ];
  });
}

/** The member summary of one ring group: a row per member it rang, by extension (see README.md). */
export function memberRows(
  cat: PbxCatalog,
  group: RingGroup,
  calls: readonly CallData[],
): RingGroupSummaryRow[] {
  const own = callsOfGroup(group, calls);
  const users = [...cat.users].sort((a, b) => (a.ext < b.ext ? -1 : a.ext > b.ext ? 1 : 0));
  return users.flatMap((user) => {
    const legs = own.flatMap((c) => c.memberLegs.filter((l) => l.callee === user.ext));
    if (legs.length === 0) return [];
    const offered = new Set(legs.map((l) => l.callId)).size;
    const answered = new Set(legs.filter((l) => l.answered === 'Answered').map((l) => l.callId)).size;
    const talkTime = legs.reduce((s, l) => s + l.talkTimeMS, 0);
    const ringTime = legs.reduce((s, l) => s + ringTimeOf(l), 0);
    const { firstName, lastName } = nameParts(user);
    return [
      {
        pbxId: cat.pbxId,
        site: siteOf(user).branch,
        firstName,
        lastName,
        ringGroupName: group.name,
        ringGroupExtension: group.ext,
        extension: user.ext,
        totalAnswered: answered,
        totalAdvanced: offered - answered,
        totalTalkTime: talkTime,
        totalRingTime: ringTime,
        totalCalls: offered,
        avgRingTime: avg(ringTime, offered),
        avgTalkTime: avg(talkTime, answered),
        offered,
      },
    ];
  });
}
