/**
 * The summaries' numbers counted again, in the test, from what the simulator serves as call records and call
 * legs, by the definitions of the simulator's README: no code of the simulator's summaries is used, so an
 * endpoint that drifts from its documented definitions (or from the rows it serves) fails its test.
 */
export type Row = Record<string, unknown>;
type Counts = Record<string, number>;

const n = (v: unknown) => Number(v);
const outside = (v: unknown) => String(v).startsWith('+');
const floorDiv = (a: number, b: number) => (b === 0 ? 0 : Math.floor(a / b));
const pct = (a: number, b: number) => (b === 0 ? 0 : Math.round((a * 100) / b));
function bump(c: Counts, key: string, by = 1): void {
  c[key] = (c[key] ?? 0) + by;
}

/** The company summary of one PBX from its call records, as the simulator's README defines each field. */
export function expectedCompany(records: Row[]): Counts {
  const c: Counts = {};
  for (const r of records) {
    const ok = r.answered === 'Answered';
    const dir = r.direction === 'Incoming' ? 'in' : r.direction === 'Outgoing' ? 'out' : 'e2e';
    bump(c, 'totalCall');
    bump(c, 'totalTalkTime', n(r.talkTimeMS));
    bump(c, 'totalCallTime', n(r.callTime));
    bump(c, 'totalRingTime', n(r.ringDuration));
    if (r.lastLegDisposition === 'Voicemail') bump(c, 'totalVm');
    if (ok) bump(c, 'totalAnswered');
    if (dir === 'out') {
      const side = outside(r.callee) ? 'externalOutbound' : 'internalOutbound';
      for (const p of ['outbound', side]) {
        bump(c, `${p}Total`);
        bump(c, ok ? `${p}Answered` : `${p}Abandoned`);
      }
      if (!ok) {
        bump(c, 'externalOutboundMissed', outside(r.callee) ? 1 : 0);
        bump(c, 'totalMissed');
        bump(c, 'totalAbandoned');
        bump(c, 'totalAbandonedTime', n(r.callTime));
      }
      continue;
    }
    const prefixes =
      dir === 'in'
        ? ['inbound', outside(r.caller) ? 'externalInbound' : 'internalInbound']
        : ['totalExtToExt'];
    for (const p of prefixes) {
      bump(c, p === 'totalExtToExt' ? p : `${p}Total`);
      if (ok) bump(c, `${p}Answered`);
      if (r.missed === 'Missed') bump(c, `${p}Missed`);
      if (r.abandoned === 'Abandoned') bump(c, `${p}Abandoned`);
    }
    if (r.missed === 'Missed') bump(c, 'totalMissed');
    if (r.abandoned === 'Abandoned') {
      bump(c, 'totalAbandoned');
      bump(c, 'totalAbandonedTime', n(r.abandonedTime));
    }
  }
  const g = (k: string) => c[k] ?? 0;
  return {
    ...c,
    percentExternalInboundAnswered: pct(g('externalInboundAnswered'), g('externalInboundTotal')),
    percentExternalOutboundAnswered: pct(g('externalOutboundAnswered'), g('externalOutboundTotal')),
    avgRingTime: floorDiv(g('totalRingTime'), g('totalCall')),
    avgTalkTime: floorDiv(g('totalTalkTime'), g('totalAnswered')),
    avgCallTime: floorDiv(g('totalCallTime'), g('totalCall')),
    avgAbandonedTime: floorDiv(g('totalAbandonedTime'), g('totalAbandoned')),
  };
}

/** Legs of the counted calls, by callId. */
export function legsByCall(records: Row[], legs: Row[]): Map<string, Row[]> {
  const wanted = new Set(records.map((r) => String(r.callId)));
  const out = new Map<string, Row[]>();
  for (const leg of legs) {
    const id = String(leg.callId);
    if (!wanted.has(id)) continue;
    out.set(id, [...(out.get(id) ?? []), leg]);
  }
  return out;
}

const ringOf = (l: Row) =>
  (n(l.connectTimeUTC) > 0 ? n(l.connectTimeUTC) : n(l.disconnectedTimeUTC)) - n(l.startTimeUTC);
const boxOwner = (l: Row) => /^Voicemail \((.+)\)$/.exec(String(l.callee))?.[1] ?? String(l.callee);

/** The extension summary's numbers per user extension of one PBX, from its records and their legs. */
export function expectedExtensions(records: Row[], byCall: Map<string, Row[]>): Map<string, Counts> {
  const services = new Set<string>();
  for (const legs of byCall.values())
    for (const l of legs)
      if (l.calleeSvcName === 'RingGroup' || l.calleeSvcName === 'ACDOperatorService')
        services.add(String(l.callee));
  const out = new Map<string, Counts>();
  const of = (ext: string): Counts => {
    const found = out.get(ext) ?? {};
    out.set(ext, found);
    return found;
  };
  for (const r of records) {
    const legs = byCall.get(String(r.callId)) ?? [];
    const reached = new Map<string, { answered: boolean; vm: boolean }>();
    const placed = new Set<string>();
    for (const l of legs) {
      const c = (ext: string) => of(ext);
      if (l.calleeSvcName === null && !outside(l.callee)) {
        const seen = reached.get(String(l.callee)) ?? { answered: false, vm: false };
        seen.answered ||= l.answered === 'Answered';
        reached.set(String(l.callee), seen);
        bump(c(String(l.callee)), 'Total_Ring_Time', ringOf(l));
        bump(c(String(l.callee)), 'Total_Call_Time', n(l.callTime));
        bump(c(String(l.callee)), 'Inbound_Talk_Time', n(l.talkTimeMS));
      }
      if (l.calleeSvcName === 'VMadvanced' && !services.has(boxOwner(l))) {
        const seen = reached.get(boxOwner(l)) ?? { answered: false, vm: false };
        seen.vm = true;
        reached.set(boxOwner(l), seen);
        bump(c(boxOwner(l)), 'Total_Call_Time', n(l.callTime));
      }
      if (l.callerSvcName === null && !outside(l.caller)) {
        placed.add(String(l.caller));
        bump(c(String(l.caller)), 'Total_Ring_Time', ringOf(l));
        bump(c(String(l.caller)), 'Total_Call_Time', n(l.callTime));
        bump(c(String(l.caller)), 'Outbound_Talk_Time', n(l.talkTimeMS));
      }
    }
    for (const [ext, seen] of reached) {
      const c = of(ext);
      const side = outside(r.caller) ? 'External_Inbound' : 'Internal_Inbound';
      const abandoned = !seen.answered && r.abandoned === 'Abandoned';
      for (const p of [side, 'Inbound']) {
        bump(c, `${p}_Total`);
        bump(c, seen.answered ? `${p}_Answered` : `${p}_Missed`);
        if (abandoned) bump(c, `${p}_Abandoned`);
      }
      if (seen.vm) bump(c, 'Total_Calls_To_VM');
      if (abandoned) bump(c, 'Total_Abandoned_Time', n(r.abandonedTime));
    }
    for (const ext of placed) {
      if (reached.has(ext)) continue;
      const c = of(ext);
      const ok = r.answered === 'Answered';
      for (const p of [outside(r.callee) ? 'External_Outbound' : 'Internal_Outbound', 'Outbound']) {
        bump(c, `${p}_Total`);
        bump(c, ok ? `${p}_Answered` : `${p}_Abandoned`);
      }
      if (!ok) bump(c, 'Total_Abandoned_Time', n(r.callTime));
    }
  }
  for (const c of out.values()) {
    const g = (k: string) => c[k] ?? 0;
    Object.assign(c, {
      Total_Answered: g('Inbound_Answered') + g('Outbound_Answered'),
      Total_Abandoned: g('Inbound_Abandoned') + g('Outbound_Abandoned'),
      Total_Missed: g('Inbound_Missed'),
      Total_Talk_Time: g('Inbound_Talk_Time') + g('Outbound_Talk_Time'),
      Percent_External_Inbound_Answered: pct(g('External_Inbound_Answered'), g('External_Inbound_Total')),
      Percent_External_Outbound_Answered: pct(g('External_Outbound_Answered'), g('External_Outbound_Total')),
    });
    Object.assign(c, {
      Avg_Ring_Time: floorDiv(g('Total_Ring_Time'), g('Inbound_Total') + g('Outbound_Total')),
      Avg_Talk_Time: floorDiv(g('Total_Talk_Time'), g('Total_Answered')),
      Avg_Abandoned_Time: floorDiv(g('Total_Abandoned_Time'), g('Total_Abandoned')),
    });
  }
  return out;
}

/** The ring group summary's numbers per ring group extension, and the member summary's per group and member. */
export function expectedRingGroups(records: Row[], byCall: Map<string, Row[]>) {
  const groups = new Map<string, Counts & { name?: never }>();
  const names = new Map<string, string>();
  const members = new Map<string, Set<string>>();
  const perMember = new Map<string, Counts>();
  for (const r of records) {
    const legs = byCall.get(String(r.callId)) ?? [];
    const groupLeg = legs.find((l) => l.calleeSvcName === 'RingGroup');
    if (!groupLeg) continue;
    const ext = String(groupLeg.callee);
    names.set(ext, String(groupLeg.calleeName));
    const c = groups.get(ext) ?? {};
    groups.set(ext, c);
    const rung = legs.filter((l) => l.parentCallId !== null && l.lra === ext && l.calleeSvcName === null);
    const winner = rung.find((l) => l.answered === 'Answered');
    const stop = winner ? n(winner.connectTimeUTC) : Math.max(...rung.map((l) => n(l.disconnectedTimeUTC)));
    const vm = legs.some((l) => l.calleeSvcName === 'VMadvanced' && boxOwner(l) === ext);
    bump(c, 'totalCalls');
    if (r.direction === 'Incoming') bump(c, 'totalInbound');
    bump(c, winner ? 'totalAnswered' : 'totalMissed');
    if (vm) bump(c, 'totalCallsToVM');
    if (r.abandoned === 'Abandoned') {
      bump(c, 'totalAbandoned');
      bump(c, 'totalAbandonedTime', n(r.abandonedTime));
    }
    if (!winner && !vm && r.abandoned !== 'Abandoned') bump(c, 'totalAdvanced');
    bump(c, 'totalRgTime', stop - n(groupLeg.startTimeUTC));
    bump(c, 'totalRingTime', stop - Math.min(...rung.map((l) => n(l.startTimeUTC))));
    for (const l of rung) {
      bump(c, 'totalTalkTime', n(l.talkTimeMS));
      const set = members.get(ext) ?? new Set();
      set.add(String(l.callee));
      members.set(ext, set);
      const key = `${ext}|${l.callee}`;
      const m = perMember.get(key) ?? {};
      perMember.set(key, m);
      bump(m, 'offered');
      bump(m, l.answered === 'Answered' ? 'totalAnswered' : 'totalAdvanced');
      bump(m, 'totalTalkTime', n(l.talkTimeMS));
      bump(m, 'totalRingTime', ringOf(l));
    }
  }
  for (const [ext, c] of groups) {
    const g = (k: string) => c[k] ?? 0;
    Object.assign(c, {
      totalMembers: members.get(ext)?.size ?? 0,
      avgAbandonedTime: floorDiv(g('totalAbandonedTime'), g('totalAbandoned')),
      avgRgTime: floorDiv(g('totalRgTime'), g('totalCalls')),
      avgRingTime: floorDiv(g('totalRingTime'), g('totalCalls')),
      avgTalkTime: floorDiv(g('totalTalkTime'), g('totalAnswered')),
    });
  }
  for (const m of perMember.values()) {
    const g = (k: string) => m[k] ?? 0;
    Object.assign(m, {
      totalCalls: g('offered'),
      avgRingTime: floorDiv(g('totalRingTime'), g('offered')),
      avgTalkTime: floorDiv(g('totalTalkTime'), g('totalAnswered')),
    });
  }
  return { groups, names, perMember };
}

/** The numeric fields of a served row, with the fields it lacks in `expected` taken as 0 there. */
export function numbersOf(row: Row): Counts {
  return Object.fromEntries(Object.entries(row).filter(([, v]) => typeof v === 'number')) as Counts;
}

/** `expected` filled with 0 for every numeric field of `served` it never counted. */
export function withZeros(expected: Counts, served: Row): Counts {
  return Object.fromEntries(Object.keys(numbersOf(served)).map((k) => [k, expected[k] ?? 0]));
}
