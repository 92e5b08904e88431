import { externalParty, type PbxCatalog, type Person } from './catalog.js';
import { type LegSpec, type Party, serviceParty, userParty } from './leg-factory.js';
import { logUniform, pick, type Rng, randInt } from './prng.js';

/**
 * Call journeys: each returns the leg specs of one call starting at `start`. Times may overshoot the 2-hour
 * limit here; the builder clamps them.
 */
export interface Journey {
  rng: Rng;
  cat: PbxCatalog;
  callId: string;
  start: number;
}

export const S = 1000;
export const MIN = 60 * S;

export function outside(rng: Rng): Party {
  const p = externalParty(rng);
  return { number: p.number, name: p.name, svcName: null, svcType: null };
}

export function voicemailOf(ext: string, name: string): Party {
  return serviceParty(`Voicemail (${ext})`, name, 'VMadvanced');
}

export function distinctUsers(rng: Rng, users: readonly Person[], n: number): Person[] {
  const pool = [...users];
  const out: Person[] = [];
  while (out.length < n && pool.length > 0) out.push(...pool.splice(Math.floor(rng() * pool.length), 1));
  return out;
}

/** One leg, answered: incoming, outgoing or internal; sometimes recorded (a CallRecording leg). */
export function direct({ rng, cat, start }: Journey): LegSpec[] {
  const [me, other] = distinctUsers(rng, cat.users, 2) as [Person, Person];
  const kind = rng();
  const direction = kind < 0.5 ? 'Incoming' : kind < 0.8 ? 'Outgoing' : 'Internal';
  const from = direction === 'Incoming' ? outside(rng) : userParty(me);
  const to =
    direction === 'Incoming' ? userParty(me) : direction === 'Outgoing' ? outside(rng) : userParty(other);
  const connect = start + randInt(rng, 300, 25 * S);
  const disconnect = connect + logUniform(rng, 2 * S, 45 * MIN);
  const holdMs = rng() < 0.15 ? Math.floor((disconnect - connect) * rng() * 0.4) : 0;
  const recordOn = rng() < 0.15;
  const legs: LegSpec[] = [
    { legId: 1, start, connect, disconnect, from, to, direction, outcome: 'answered', holdMs, recordOn },
  ];
  if (recordOn) {
    const recorder = serviceParty('CallRecording', 'Call Recording', 'CallRecording');
    const rec = connect + randInt(rng, 20, 200);
    legs.push({
      legId: 2,
      start: connect,
      connect: rec,
      disconnect,
      from,
      to: recorder,
      direction,
      outcome: 'system',
    });
  }
  return legs;
}

/** An outgoing call that never connects: busy or cancelled, sometimes lasting 0 ms. */
export function failed({ rng, cat, start }: Journey): LegSpec[] {
  const disconnect = start + (rng() < 0.4 ? 0 : randInt(rng, 100, 4 * S));
  const from = userParty(pick(rng, cat.users));
  return [
    {
      legId: 1,
      start,
      connect: 0,
      disconnect,
      from,
      to: outside(rng),
      direction: 'Outgoing',
      outcome: 'busy',
    },
  ];
}

/** No answer, then voicemail: either one leg straight to the mailbox (as in the spec) or a ring then the mailbox. */
export function voicemail({ rng, cat, start }: Journey): LegSpec[] {
  const me = pick(rng, cat.users);
  const from = outside(rng);
  const box: Party = {
    ...voicemailOf(me.ext, me.name),
    number: rng() < 0.5 ? me.ext : `Voicemail (${me.ext})`,
  };
  const base = { from, direction: 'Incoming' as const, lra: me.ext };
  if (rng() < 0.5) {
    const connect = start + randInt(rng, 20, 200);
    const disconnect = connect + logUniform(rng, 3 * S, 3 * MIN);
    return [{ ...base, legId: 1, start, connect, disconnect, to: box, outcome: 'voicemail' }];
  }
  const rang = start + randInt(rng, 15 * S, 30 * S);
  const connect = rang + randInt(rng, 20, 200);
  return [
    { ...base, legId: 1, start, connect: 0, disconnect: rang, to: userParty(me), outcome: 'missed' },
    {
      ...base,
      legId: 2,
      start: rang,
      connect,
      disconnect: connect + logUniform(rng, 3 * S, 3 * MIN),
      to: box,
      outcome: 'voicemail',
    },
  ];
}
