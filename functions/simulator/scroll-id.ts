import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { Table } from './params.js';
import type { CallLegRow, CallRecordRow } from './rows.js';
import type { CursorFormat } from './types.js';

/** What a scrollId names: the last row of a page (legs: callId, legId, startTimeUTC; records: no legId). */
export interface Cursor {
  callId: string;
  legId: string | undefined;
  startTimeUTC: number;
}

const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const unb64 = (text: string) =>
  /^[A-Za-z0-9_-]+$/.test(text) ? Buffer.from(text, 'base64url').toString('utf8') : undefined;

/**
 * Issues and reads scrollIds. The cursor text is always `supertenantcsm_<callId>_<legId>_<startTimeUTC>`
 * (records without the legId) of the page's last row, with the row's real callId even when the row is served
 * with `callId: null`. The format only changes how it is wrapped:
 * - 'base64': base64url without padding, as the docs' examples;
 * - 'jwt': `header.payload.signature`, base64url parts joined by dots, HMAC-signed with a key from the seed;
 * - 'uuid': a UUID derived from the text, remembered by the server (it cannot be decoded);
 * - 'urlencoded': the text with `:` and `/` separators, percent-encoded (`supertenantcsm%3A…%2F…`).
 */
export class CursorCodec {
  private readonly uuids = new Map<string, string>();
  private readonly key: Buffer;

  constructor(
    private readonly format: CursorFormat,
    seed: number,
  ) {
    this.key = createHash('sha256').update(`sim-cursor-key|${seed}`).digest();
  }

  encode(table: Table, row: CallLegRow | CallRecordRow): string {
    const legId = table === 'call-legs' && 'legId' in row ? row.legId : undefined;
    const parts = [row.callId, ...(legId === undefined ? [] : [legId]), String(row.startTimeUTC)];
    const text = `supertenantcsm_${parts.join('_')}`;
    switch (this.format) {
      case 'base64':
        return b64(text);
      case 'jwt': {
        const head = b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
        const body = b64(JSON.stringify({ cur: text }));
        return `${head}.${body}.${this.sign(`${head}.${body}`)}`;
      }
      case 'uuid': {
        const h = createHash('sha256')
          .update(`${this.key.toString('hex')}|${text}`)
          .digest('hex');
        const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
        this.uuids.set(id, text);
        return id;
      }
      case 'urlencoded':
        return encodeURIComponent(`supertenantcsm:${parts.join('/')}`);
    }
  }

  /** Reads a scrollId, or undefined when it is not one this table could have issued. */
  decode(table: Table, scrollId: string): Cursor | undefined {
    const text = this.unwrap(scrollId);
    if (text === undefined) return undefined;
    const m =
      table === 'call-legs'
        ? /^supertenantcsm_(\d+)_(\d+)_(\d+)$/.exec(text)
        : /^supertenantcsm_(\d+)()_(\d+)$/.exec(text);
    if (!m) return undefined;
    return {
      callId: m[1] ?? '',
      legId: table === 'call-legs' ? m[2] : undefined,
      startTimeUTC: Number(m[3]),
    };
  }

  private unwrap(scrollId: string): string | undefined {
    switch (this.format) {
      case 'base64':
        return unb64(scrollId);
      case 'jwt': {
        const [head, body, signature, extra] = scrollId.split('.');
        if (!head || !body || !signature || extra !== undefined) return undefined;
        const expected = Buffer.from(this.sign(`${head}.${body}`));
        const given = Buffer.from(signature);
        if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
        try {
          const payload = JSON.parse(unb64(body) ?? '') as { cur?: unknown };
          return typeof payload.cur === 'string' ? payload.cur : undefined;
        } catch {
          return undefined;
        }
      }
      case 'uuid':
        return this.uuids.get(scrollId);
      case 'urlencoded': {
        // Only what this format issues: decoding must be needed exactly once.
        if (!scrollId.includes('%3A') || /[^A-Za-z0-9%._~-]/.test(scrollId)) return undefined;
        let text: string;
        try {
          text = decodeURIComponent(scrollId);
        } catch {
          return undefined;
        }
        const m = /^supertenantcsm:([\d/]+)$/.exec(text);
        return m ? `supertenantcsm_${(m[1] ?? '').split('/').join('_')}` : undefined;
      }
    }
  }

  private sign(data: string): string {
    return createHmac('sha256', this.key).update(data).digest('base64url');
  }
}
