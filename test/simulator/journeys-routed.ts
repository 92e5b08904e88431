import { distinctUsers, type Journey, MIN, outside, S, voicemailOf } from './journeys.js';
import type { LegSpec, Party } from './leg-factory.js';
import { serviceParty, userParty } from './leg-factory.js';
import { logUniform, pick, randInt } from './prng.js';

/** Journeys through PBX routing: ring groups, transfers and call queues, with child legs. */

/** A ring group fans out to members (child legs); one answers, or nobody does and voicemail takes it. */
export function ringGroup({ rng, cat, start, callId }: Journey): LegSpec[] {
  const rg = pick(rng, cat.ringGroups);
  const from = outside(rng);
  const aaPath = rng() < 0.5 ? 'Main Menu>1' : '';
  const members = distinctUsers(rng, cat.users, randInt(rng, 2, 5));
  const offer = start + randInt(rng, 200, 1500);
  const winner = rng() < 0.8 ? randInt(rng, 0, members.length - 1) : -1;
  const answerAt = offer + randInt(rng, 3 * S, 20 * S);
  const giveUpAt = offer + randInt(rng, 20 * S, 30 * S);
  const talkEnd = answerAt + logUniform(rng, 5 * S, 40 * MIN);
  const base = { from, direction: 'Incoming' as const, aaPath };
  const child = { ...base, parentCallId: callId, lra: rg.ext, lraType: 3, start: offer };
  const legs: LegSpec[] = members.map((m, i) =>
    i === winner
      ? {
          ...child,
          legId: i + 2,
          connect: answerAt,
          disconnect: talkEnd,
          to: userParty(m),
          outcome: 'answered',
        }
      : {
          ...child,
          legId: i + 2,
          connect: 0,
          disconnect: winner >= 0 ? answerAt : giveUpAt,
          to: userParty(m),
          outcome: 'missed',
        },
  );
  let end = talkEnd;
  const winnerPerson = members[winner];
  if (winnerPerson && rng() < 0.3) {
    const mobile: Party = {
      ...outside(rng),
      name: winnerPerson.name,
      svcName: 'CallForking',
      svcType: 'Custom',
    };
    legs.push({
      ...child,
      legId: legs.length + 2,
      connect: 0,
      disconnect: answerAt,
      to: mobile,
      outcome: 'missed',
    });
  }
  if (winner < 0) {
    const vmConnect = giveUpAt + randInt(rng, 20, 200);
    end = vmConnect + logUniform(rng, 3 * S, 2 * MIN);
    const to = voicemailOf(rg.ext, rg.name);
    legs.push({
      ...base,
      legId: legs.length + 2,
      start: giveUpAt,
      connect: vmConnect,
      disconnect: end,
      to,
      outcome: 'voicemail',
    });
  }
  const parentTo = serviceParty(rg.ext, rg.name, 'RingGroup');
  const parentConnect = start + randInt(rng, 50, 190);
  const outcome = winner >= 0 ? 'system' : 'missed';
  legs.unshift({
    ...base,
    legId: 1,
    start,
    connect: parentConnect,
    disconnect: end,
    to: parentTo,
    outcome,
    lraType: 3,
  });
  return legs;
}

/** Answered, then transferred on (transferToCallId) one to three times; the last hop may go to voicemail. */
export function transfer({ rng, cat, start, callId }: Journey): LegSpec[] {
  const from = outside(rng);
  const hops = distinctUsers(rng, cat.users, randInt(rng, 2, 4));
  const legs: LegSpec[] = [];
  let t = start;
  let lra: string | undefined;
  hops.forEach((person, i) => {
    const base = { from, direction: 'Incoming' as const, lra: lra ?? person.ext, lraType: lra ? 2 : 1 };
    const ring = t + randInt(rng, 2 * S, 15 * S);
    const last = i === hops.length - 1;
    if (last && rng() < 0.25) {
      const vmConnect = ring + randInt(rng, 20, 200);
      const vmEnd = vmConnect + logUniform(rng, 3 * S, 2 * MIN);
      legs.push({
        ...base,
        legId: i + 1,
        start: t,
        connect: 0,
        disconnect: ring,
        to: userParty(person),
        outcome: 'missed',
      });
      legs.push({
        ...base,
        legId: i + 2,
        start: ring,
        connect: vmConnect,
        disconnect: vmEnd,
        to: voicemailOf(person.ext, person.name),
        outcome: 'voicemail',
      });
      return;
    }
    const end = ring + logUniform(rng, last ? 5 * S : 10 * S, last ? 30 * MIN : 10 * MIN);
    const transferToCallId = last ? null : callId;
    legs.push({
      ...base,
      legId: i + 1,
      start: t,
      connect: ring,
      disconnect: end,
      to: userParty(person),
      outcome: 'answered',
      transferToCallId,
    });
    t = end;
    lra = person.ext;
  });
  return legs;
}

/** A call queue: agents are offered the call (child legs) until one answers or the caller hangs up (abandoned). */
export function queue({ rng, cat, start, callId }: Journey): LegSpec[] {
  const q = pick(rng, cat.queues);
  const from = outside(rng);
  const aaPath = rng() < 0.5 ? 'Main Menu>2' : '';
  const base = { from, direction: 'Incoming' as const, aaPath, lra: q.ext, lraType: 4 };
  const qConnect = start + randInt(rng, 100, 400);
  const wait = logUniform(rng, 5 * S, 30 * MIN);
  const qEnd = qConnect + wait;
  const abandoned = rng() < 0.3;
  const agents = distinctUsers(rng, cat.users, randInt(rng, abandoned ? 0 : 1, 4));
  const answering = abandoned ? undefined : agents.pop();
  const legs: LegSpec[] = agents.map((agent, j) => {
    const offered = qConnect + Math.floor((wait * (j + 1)) / (agents.length + 2));
    const disconnect = Math.min(offered + randInt(rng, 10 * S, 15 * S), qEnd);
    return {
      ...base,
      legId: j + 2,
      parentCallId: callId,
      start: offered,
      connect: 0,
      disconnect,
      to: userParty(agent),
      outcome: 'missed' as const,
    };
  });
  if (answering) {
    const talkEnd = qEnd + logUniform(rng, 10 * S, 40 * MIN);
    const offered = qEnd - randInt(rng, 2 * S, 8 * S);
    const to: Party = userParty(answering);
    legs.push({
      ...base,
      legId: legs.length + 2,
      parentCallId: callId,
      start: Math.max(offered, qConnect),
      connect: qEnd,
      disconnect: talkEnd,
      to,
      outcome: 'answered',
    });
  }
  const queueParty = serviceParty(q.ext, q.name, 'ACDOperatorService');
  const outcome = abandoned ? 'abandoned' : 'system';
  legs.unshift({ ...base, legId: 1, start, connect: qConnect, disconnect: qEnd, to: queueParty, outcome });
  return legs;
}
