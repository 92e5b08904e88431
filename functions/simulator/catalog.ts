import { hashSeed, mulberry32, pick, randInt } from './prng.js';

/**
 * The people and services of each PBX. Names deliberately include accents, CJK, emoji, quotes, commas and
 * newlines: whatever stores the rows must survive them.
 */
const USER_NAMES = [
  'Jane Li',
  'Mark Smith',
  'José Ñúñez',
  "Zoë O'Brien",
  'Renée Dupont-Lefèvre',
  '李小龙',
  '山田 太郎',
  'Дмитрий Иванов',
  'Bob "Bobby" Jones',
  'Smith, Anna',
  'Ana\nMaria Costa',
  '🎧 Help Desk',
  'Søren Kierkegård',
  'Siobhán Ní Bhriain',
  'Nguyễn Văn An',
  'Priya Patel',
  'Łukasz Wiśniewski',
  'Günther Müller',
  '김민준',
  'Tom Baker 🎬',
  'Chloé Martin',
  'Ahmed Al-Farsi',
] as const;

const EXTERNAL_NAMES = [
  'MARK SMITH',
  'WIRELESS CALLER',
  'ACME SUPPLIES, INC.',
  'Café "Le Petit"',
  'MÜLLER GMBH',
  '',
] as const;

const RING_GROUPS = ['Sales Team', 'Support 🛠️', 'Réception', 'Billing, Tier 2'] as const;
const QUEUES = ['Sales Queue', 'Test Queue', 'Support Queue "Gold"'] as const;
const DEPARTMENTS = [
  'Sales Engineering',
  'East Office',
  'Support',
  'Finance',
  'R&D',
  'Ventes & Marketing',
] as const;
const BRANCHES = ['Central', 'East Coast', 'West Coast', 'EMEA', 'Zürich'] as const;
const DEVICE_MODELS = ['Poly VVX 450', 'Yealink T54W', '8x8 Work for Desktop', '8x8 Work for iOS'] as const;

export interface Person {
  ext: string;
  name: string;
  departments: string[] | null;
  branches: string[] | null;
  deviceId: string | null;
  deviceModel: string;
}

export interface Service {
  ext: string;
  name: string;
}

/** A ring group; its site is what the ring group summary shows. */
export interface RingGroup extends Service {
  site: string;
}

export interface PbxCatalog {
  pbxId: string;
  /** The PBX's main number, the DNIS of incoming calls. */
  dnis: string;
  users: Person[];
  ringGroups: RingGroup[];
  queues: Service[];
}

const catalogs = new Map<string, PbxCatalog>();

/** The directory of one PBX, the same for a given seed. */
export function catalogFor(seed: number, pbxId: string, pbxIndex: number): PbxCatalog {
  const key = `${seed}|${pbxId}|${pbxIndex}`;
  const cached = catalogs.get(key);
  if (cached) return cached;
  const rng = mulberry32(hashSeed(seed, 'catalog', pbxId));
  const prefix = 11 + pbxIndex;
  const users: Person[] = USER_NAMES.map((name, i) => {
    const deviceId =
      rng() < 0.5 ? `POLY-0004F2${randInt(rng, 0x100000, 0xffffff).toString(16).toUpperCase()}` : null;
    return {
      ext: `${prefix}00${String(i + 10).padStart(2, '0')}`,
      name,
      departments: listOrNull(rng, DEPARTMENTS),
      branches: listOrNull(rng, BRANCHES),
      deviceId,
      deviceModel: deviceId ? pick(rng, DEVICE_MODELS) : '',
    };
  });
  const catalog: PbxCatalog = {
    pbxId,
    dnis: `1202555${String(randInt(rng, 1000, 9999))}`,
    users,
    // Sites are not drawn from rng, so that adding them changed no other value of the catalog.
    ringGroups: RING_GROUPS.map((name, i) => ({
      ext: `${prefix}80${String(i + 10)}`,
      name,
      site: BRANCHES[i % BRANCHES.length] ?? '',
    })),
    queues: QUEUES.map((name, i) => ({ ext: `${prefix}90${String(i + 10)}`, name })),
  };
  catalogs.set(key, catalog);
  return catalog;
}

// The API answers an empty array for some users and null for others: both must be kept apart downstream.
function listOrNull(rng: () => number, items: readonly string[]): string[] | null {
  const r = rng();
  if (r < 0.1) return null;
  if (r < 0.2) return [];
  return r < 0.9
    ? [pick(rng, items)]
    : [pick(rng, items), pick(rng, items)].filter((v, i, a) => a.indexOf(v) === i);
}

/** An outside party: an E.164 number and the caller-id name the carrier sent (sometimes only digits). */
export function externalParty(rng: () => number): { number: string; name: string } {
  const digits = `1555${String(randInt(rng, 1_000_000, 9_999_999))}`;
  const name = pick(rng, EXTERNAL_NAMES);
  return { number: `+${digits}`, name: name === '' ? digits : name };
}
