// Building an Intl.DateTimeFormat costs far more than formatting with one: keep one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    try {
      f = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23', // 'hour12: false' renders midnight as 24 in some ICU versions
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
      });
    } catch {
      throw new RangeError(`time zone must be an IANA name such as UTC or America/New_York; got ${timeZone}`);
    }
    formatters.set(timeZone, f);
  }
  return f;
}

/**
 * An instant as the API's `startTime`/`endTime` text, `YYYY-MM-DD HH:MM:SS`, in an IANA time zone (DST
 * included). Local text is ambiguous in the hour a zone falls back (01:30 happens twice in New York on
 * 2026-11-01), which is why the pipeline asks with `timeZone=UTC`.
 */
export function toApiTime(ms: number, timeZone = 'UTC'): string {
  const p: Record<string, string> = {};
  for (const { type, value } of formatterFor(timeZone).formatToParts(ms)) p[type] = value;
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}
