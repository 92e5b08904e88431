import { closestMatch } from '../core/did-you-mean.js';
import { UsageError } from './usage.js';

/**
 * The time zone each PBX's hours and weekdays are read in. Neither the 8x8 PBX list nor the lake records one
 * (the lake asks the API for UTC), so it comes from `--time-zone`; a PBX without one is shown in UTC, and the
 * report says so.
 */
export interface PbxZone {
  pbx_id: string;
  zone: string;
  /** `flag`: named for this PBX; `all`: the zone given for every PBX; `utc`: none given. */
  source: 'flag' | 'all' | 'utc';
}

/** What `--time-zone` asked: a zone for every PBX, and zones for named PBXes. */
export interface ZoneChoice {
  all?: string;
  perPbx: Readonly<Record<string, string>>;
}

const ZONE_EXAMPLE = 'an IANA zone such as America/New_York, or PBX=Zone such as acmecorp=Europe/Berlin';

function checkZone(zone: string): string {
  try {
    // Kept as written (Node would say Asia/Calcutta for Asia/Kolkata): DuckDB's ICU knows both.
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone;
  } catch {
    const near = closestMatch(zone, Intl.supportedValuesOf('timeZone'));
    throw new UsageError(
      `--time-zone: unknown time zone "${zone}"${near ? `. Did you mean ${near}?` : ''} Give ${ZONE_EXAMPLE}`,
    );
  }
}

/**
 * Reads `--time-zone`: comma-separated entries, each a zone for every PBX (`America/New_York`) or a zone for
 * one (`acmecorp=Europe/Berlin`); a PBX's own entry wins over the zone for all.
 */
export function parseTimeZones(value: string | undefined): ZoneChoice {
  const choice: { all?: string; perPbx: Record<string, string> } = { perPbx: {} };
  if (value === undefined) return choice;
  for (const entry of value.split(',').map((e) => e.trim())) {
    if (entry === '') throw new UsageError(`--time-zone has an empty entry: give ${ZONE_EXAMPLE}`);
    const eq = entry.indexOf('=');
    if (eq < 0) {
      if (choice.all !== undefined)
        throw new UsageError(`--time-zone names two zones for every PBX: keep one`);
      choice.all = checkZone(entry);
      continue;
    }
    const pbx = entry.slice(0, eq).trim();
    if (pbx === '') throw new UsageError(`--time-zone "${entry}" names no PBX: give ${ZONE_EXAMPLE}`);
    if (pbx in choice.perPbx) throw new UsageError(`--time-zone names ${pbx} twice: keep one`);
    choice.perPbx[pbx] = checkZone(entry.slice(eq + 1).trim());
  }
  return choice;
}

/**
 * Each PBX of the lake with its zone.
 * @throws UsageError when `--time-zone` names a PBX the lake does not hold (a typo would go unnoticed).
 */
export function resolveZones(choice: ZoneChoice, pbxes: readonly string[]): PbxZone[] {
  for (const pbx of Object.keys(choice.perPbx))
    if (!pbxes.includes(pbx)) {
      const near = closestMatch(pbx, pbxes);
      const held = pbxes.length ? `it holds ${pbxes.join(', ')}` : 'it holds no calls';
      throw new UsageError(
        `--time-zone names PBX ${pbx}, which the lake has no calls of (${held})${near ? `. Did you mean ${near}?` : ''}`,
      );
    }
  return [...pbxes].sort().map((pbx_id) => {
    const own = choice.perPbx[pbx_id];
    if (own !== undefined) return { pbx_id, zone: own, source: 'flag' };
    if (choice.all !== undefined) return { pbx_id, zone: choice.all, source: 'all' };
    return { pbx_id, zone: 'UTC', source: 'utc' };
  });
}

const sqlText = (text: string) => `'${text.replaceAll("'", "''")}'`;

/**
 * SQL of the local time, as a plain timestamp, of an epoch-ms column of a row that has `pbx_id`: each PBX in
 * its own zone (DuckDB's ICU `AT TIME ZONE`, as Athena's). A PBX not listed is read in UTC.
 */
export function localTimeSql(zones: readonly PbxZone[], msColumn: string): string {
  const instant = `to_timestamp(${msColumn} / 1e3)`;
  const named = zones.filter((z) => z.zone !== 'UTC');
  if (named.length === 0) return `(${instant} AT TIME ZONE 'UTC')`;
  const cases = named.map((z) => `WHEN ${sqlText(z.pbx_id)} THEN ${sqlText(z.zone)}`).join(' ');
  return `(${instant} AT TIME ZONE (CASE pbx_id ${cases} ELSE 'UTC' END))`;
}

/** How the report names the zones, e.g. `acmecorp: America/New_York; acme-eu: UTC (no --time-zone given)`. */
export function zonesText(zones: readonly PbxZone[]): string {
  return zones
    .map((z) => `${z.pbx_id}: ${z.zone}${z.source === 'utc' ? ' (no --time-zone given)' : ''}`)
    .join('; ');
}
