/**
 * Time zone arithmetic with Intl only (no date library): offsets, local rendering as the API writes it
 * (`2022-02-03T09:27:27.499-0500`) and local wall time to instant with the usual DST rules.
 */

const formatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();
// Every zone in current use changes its offset on a quarter hour, so one lookup per quarter hour is exact.
const SLOT_MS = 15 * 60_000;
const HOUR_MS = 3_600_000;

function formatter(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** Whether `zone` is an IANA zone name that this runtime knows. */
export function isValidTimeZone(zone: string): boolean {
  if (!zone) return false;
  try {
    formatter(zone);
    return true;
  } catch {
    return false;
  }
}

/** The zone's UTC offset in ms at `instant` (negative west of Greenwich). */
export function offsetAt(zone: string, instant: number): number {
  const slot = Math.floor(instant / SLOT_MS);
  const key = `${zone}|${slot}`;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const at = slot * SLOT_MS;
  const parts: Record<string, number> = {};
  for (const p of formatter(zone).formatToParts(at)) parts[p.type] = Number(p.value);
  const asUtc = Date.UTC(
    parts.year ?? 1970,
    (parts.month ?? 1) - 1,
    parts.day ?? 1,
    parts.hour ?? 0,
    parts.minute ?? 0,
    parts.second ?? 0,
  );
  const offset = asUtc - at;
  if (offsetCache.size > 200_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Renders an instant as the API does: local time with milliseconds and an offset without a colon. */
export function formatLocal(instant: number, zone: string): string {
  const offset = offsetAt(zone, instant);
  const d = new Date(instant + offset);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset) / 60_000;
  return (
    `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}` +
    `T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}` +
    `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`
  );
}

const LOCAL_FORMAT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;

/** Parses `YYYY-MM-DD HH:MM:SS` into wall-clock fields read as if UTC; undefined when malformed or impossible. */
export function parseLocalTime(text: string): number | undefined {
  const m = LOCAL_FORMAT.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi, s);
  const back = new Date(wall);
  // Date.UTC rolls 2026-02-30 over to March: a round trip catches such dates.
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d)
    return undefined;
  if (h > 23 || mi > 59 || s > 59) return undefined;
  return wall;
}

/**
 * The instant of a local wall time in `zone`. Ambiguous (DST overlap): the earlier instant. Non-existent (DST
 * gap): shifted forward by the gap, as java.time does (02:30 on a spring-forward night becomes 03:30).
 */
export function localToInstant(wall: number, zone: string): number {
  const offsets = new Set([
    offsetAt(zone, wall - 26 * HOUR_MS),
    offsetAt(zone, wall),
    offsetAt(zone, wall + 26 * HOUR_MS),
  ]);
  const candidates = [...offsets].map((o) => wall - o);
  const valid = candidates.filter((t) => wall - offsetAt(zone, t) === t);
  return valid.length > 0 ? Math.min(...valid) : Math.max(...candidates);
}
