import type { Table } from './params.js';
import type { ApiRow } from './types.js';

/** What a scrollId names: the last row of a page (legs: callId, legId, startTimeUTC; records: no legId). */
export interface Cursor {
  callId: string;
  legId: string | undefined;
  startTimeUTC: number;
}

/**
 * The documented cursor: base64url without padding of `supertenantcsm_<callId>_<legId>_<startTimeUTC>` (records
 * without the legId), naming the page's last row. The server looks that row up to continue strictly after it.
 */
export function encodeScrollId(table: Table, row: ApiRow): string {
  const legPart = table === 'call-legs' && 'legId' in row ? `_${row.legId}` : '';
  return Buffer.from(`supertenantcsm_${row.callId}${legPart}_${row.startTimeUTC}`, 'utf8').toString(
    'base64url',
  );
}

/** Decodes a scrollId, or undefined when it is not one this table could have issued. */
export function decodeScrollId(table: Table, scrollId: string): Cursor | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(scrollId)) return undefined;
  const text = Buffer.from(scrollId, 'base64url').toString('utf8');
  const m =
    table === 'call-legs'
      ? /^supertenantcsm_(\d+)_(\d+)_(\d+)$/.exec(text)
      : /^supertenantcsm_(\d+)()_(\d+)$/.exec(text);
  if (!m) return undefined;
  return { callId: m[1] ?? '', legId: table === 'call-legs' ? m[2] : undefined, startTimeUTC: Number(m[3]) };
}
