import type { Person } from '../catalog.js';
import type { CallLegRow } from '../rows.js';

/** How long a leg rang: until it connected, or until it ended when it never did. */
export function ringTimeOf(leg: CallLegRow): number {
  return (leg.connectTimeUTC > 0 ? leg.connectTimeUTC : leg.disconnectedTimeUTC) - leg.startTimeUTC;
}

/** A leg that rang the user `ext` in person (not a service of theirs such as the mailbox). */
export function rangUser(leg: CallLegRow, ext: string): boolean {
  return leg.callee === ext && leg.calleeSvcName === null;
}

/** A leg that the user `ext` placed. */
export function placedByUser(leg: CallLegRow, ext: string): boolean {
  return leg.caller === ext && leg.callerSvcName === null;
}

/** A leg to the voicemail box of `ext` (a user's or a ring group's), whichever number the box shows. */
export function toVoicemailOf(leg: CallLegRow, ext: string): boolean {
  return leg.calleeSvcName === 'VMadvanced' && (leg.callee === ext || leg.callee === `Voicemail (${ext})`);
}

/** The name fields of a user: the first word, then the rest. */
export function nameParts(person: Person): { firstName: string; lastName: string } {
  const words = person.name.trim().split(/\s+/);
  return { firstName: words[0] ?? '', lastName: words.slice(1).join(' ') };
}

/** The first branch and department of a user, or '' when they have none. */
export function siteOf(person: Person): { branch: string; department: string } {
  return { branch: person.branches?.[0] ?? '', department: person.departments?.[0] ?? '' };
}
