import { distinctUsers, type Journey, MIN, outside, S, voicemailOf } from './journeys.js';
import { type LegSpec, type Party, serviceParty, userParty } from './leg-factory.js';
import { logUniform, pick, randInt } from './prng.js';

/** A ring group fans out to members (child legs); one answers, or nobody does and voicemail takes it. */
export function ringGroup({ rng, cat, start, callId }: Journey): LegSpec[] {
  const rg = pick(rng, cat.ringGroups);
  const from = outside(rng);
  const aaPath = rng() < 0.5 ? 'Main Menu>1' : '';
  const members = distinctUsers(rng, cat.users, randInt(rng, 2, 6));
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
  const outcome = winner >= 0 ? 'routed' : 'missed';
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
