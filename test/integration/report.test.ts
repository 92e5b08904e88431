import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../functions/cli/report.js';
import type { CallRecordRow } from '../../functions/simulator/index.js';
import { analyticsLakes, groupBy, HOUR, NOW, pullBusyAfternoon, RANGE } from './analytics-lake.js';

const { simulator, lakeDir } = analyticsLakes();
let html: string;
let records: CallRecordRow[];
let printed = '';
let lakeOut = '';

const VOID = new Set(['meta', 'br', 'hr', 'img', 'input', 'link']);

/** The open tags left unclosed or closed out of order; empty when the markup nests properly. */
function unbalanced(markup: string): string[] {
  const stack: string[] = [];
  const problems: string[] = [];
  const body = markup.replace(/<!DOCTYPE[^>]*>/i, '').replace(/<style>[\s\S]*?<\/style>/, '');
  for (const [, close, name, rest] of body.matchAll(/<(\/?)([a-zA-Z][\w-]*)([^>]*)>/g)) {
    const tag = String(name).toLowerCase();
    if (close) {
      if (stack.pop() !== tag) problems.push(`</${tag}>`);
    } else if (!VOID.has(tag) && !String(rest).endsWith('/')) stack.push(tag);
  }
  return [...problems, ...stack];
}

const attrs = (kind: string) =>
  [...html.matchAll(new RegExp(`<rect class="${kind}"([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...String(m[1]).matchAll(/data-([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

beforeAll(async () => {
  const sim = await simulator();
  const out = lakeDir();
  lakeOut = out;
  records = (await pullBusyAfternoon(sim, out)).records as CallRecordRow[];
  const file = join(out, 'report.html');
  const io = {
    stdout: { write: (text: string) => (printed += text) },
    stderr: { write: () => true },
    env: {},
    now: () => NOW,
  };
  const argv = [
    '--out',
    out,
    '--from',
    new Date(RANGE.fromMs).toISOString(),
    '--to',
    new Date(RANGE.toMs).toISOString(),
  ];
  await reportCommand([...argv, '--html', file], io);
  html = readFileSync(file, 'utf8');
});

describe('walake report', () => {
  it('writes one well-formed HTML file and prints its path', () => {
    expect(printed).toMatch(/^report: .*report\.html\n$/);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(unbalanced(html)).toEqual([]);
    expect(html.match(/<svg /g)?.length).toBe(7);
  });

  it('loads nothing from the network: no script, no external source, link or import', () => {
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).not.toMatch(/<link|<iframe|<img|<object|<embed/i);
    expect(html).not.toMatch(/https?:/i);
  });

  it('draws the heatmap and the busiest hours from the calls each hour started', () => {
    const inRange = records.filter((r) => r.startTimeUTC >= RANGE.fromMs && r.startTimeUTC < RANGE.toMs);
    const perHour = groupBy(inRange, (r) => String(new Date(r.startTimeUTC).getUTCHours()));
    const cells = attrs('heat');
    expect(cells).toHaveLength(24);
    for (const cell of cells)
      expect(Number(cell.calls), `hour ${cell.hour}`).toBe(perHour.get(String(cell.hour))?.length ?? 0);
    expect(cells.filter((c) => Number(c.calls) > 0)).toHaveLength(6);
    const busiest = attrs('busy');
    const top = [...perHour.entries()].sort((a, b) => b[1].length - a[1].length)[0];
    expect(busiest[0]).toMatchObject({ hour: top?.[0], calls: String(top?.[1].length) });
    expect(busiest).toHaveLength(6);
  });

  it('draws answered, missed and abandoned per day, and the unreturned missed calls', () => {
    const inRange = records.filter((r) => r.startTimeUTC >= RANGE.fromMs && r.startTimeUTC < RANGE.toMs);
    const bars = Object.fromEntries(attrs('bar').map((b) => [b.kind, Number(b.value)]));
    expect(bars).toEqual({
      answered: inRange.filter((r) => r.answered === 'Answered').length,
      missed: inRange.filter((r) => r.missed === 'Missed').length,
      abandoned: inRange.filter((r) => r.abandoned === 'Abandoned').length,
    });
    const missed = inRange.filter(
      (r) => r.direction === 'Incoming' && (r.missed === 'Missed' || r.abandoned === 'Abandoned'),
    );
    // The simulator calls some missed callers back: the rest have no outbound call to their number in 24 h.
    const unreturned = missed.filter(
      (m) =>
        !records.some(
          (o) =>
            o.pbxId === m.pbxId &&
            o.direction === 'Outgoing' &&
            o.callee === m.caller &&
            o.startTimeUTC > m.startTimeUTC &&
            o.startTimeUTC - m.startTimeUTC <= 24 * HOUR,
        ),
    );
    expect(unreturned.length).toBeGreaterThan(0);
    expect(unreturned.length).toBeLessThan(missed.length);
    // A missed call whose 24 h the lake does not reach yet is pending, not "never called back".
    const lakeEnd = Math.max(...records.map((r) => r.disconnectedTimeUTC ?? 0));
    const pending = unreturned.filter((m) => lakeEnd - m.startTimeUTC < 24 * HOUR);
    expect(pending.length).toBeGreaterThan(0);
    const never = unreturned.length - pending.length;
    expect(html).toContain(`<div class="tile" id="total-unreturned"><b>${never}</b>`);
    expect(html).toContain(`<div class="tile" id="total-pending"><b>${pending.length}</b>`);
    expect(html).toContain(
      `<div class="tile" id="total-called-back"><b>${missed.length - unreturned.length}</b>`,
    );
    expect(html).toContain(
      `Missed calls without a callback (${never} not called back, ${pending.length} pending)`,
    );
    expect(html.match(/<tr><td>2026-06-10 /g)?.length).toBe(Math.min(12, unreturned.length));
  });

  it('lists the services that were offered legs and the people who answered, from the views', () => {
    const services = /<table id="services">.*?<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? '';
    const agents = /<table id="agents">.*?<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? '';
    expect(services.match(/<tr>/g)?.length).toBeGreaterThan(0);
    // The simulator's ring groups and queues answer some calls: their legs are not all unanswered.
    expect(services).toMatch(/<td>[1-9]\d* \(\d+\.\d %\)<\/td>/);
    expect(agents.match(/<tr>/g)?.length).toBeGreaterThan(0);
  });

  it('says "no data" beside every KPI when the previous period is not loaded, never 0', () => {
    const tiles = [
      ...html.matchAll(
        /<div class="tile" id="([^"]+)"><b>[^<]*<\/b>[^<]*<small class="([^"]*)"[^>]*>([^<]*)</g,
      ),
    ];
    expect(tiles.map((t) => t[1])).toEqual([
      'total-inbound',
      'total-answered',
      'total-missed',
      'total-abandoned',
      'service-level',
      'asa',
      'p90-wait',
      'total-called-back',
      'total-unreturned',
      'total-pending',
    ]);
    for (const t of tiles) expect([t[2], t[3]]).toEqual(['prev none', 'previous period: no data']);
    expect(html).toContain('07:00 to 2026-06-10 13:00 UTC: not loaded, so no data');
  });

  it('shows the ledger of each table as a day x window grid', () => {
    const windows = attrs('window');
    for (const table of ['call-legs', 'call-records']) {
      const mine = windows.filter((w) => w.table === table);
      expect(mine).toHaveLength(24);
      const settled = mine.filter((w) => w.state === 'settled').map((w) => Number(w.window));
      expect(settled).toEqual([13, 14, 15, 16, 17, 18]);
      expect(mine.filter((w) => w.state === 'missing')).toHaveLength(18);
    }
    expect(RANGE.toMs - RANGE.fromMs).toBe(6 * HOUR);
  });

  it('says first, in a banner, which days of a range with missing days are loaded', async () => {
    let err = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (err += text) },
      env: {},
      now: () => NOW,
    };
    const file = join(lakeOut, 'gaps.html');
    const from = new Date(RANGE.fromMs - 2 * 24 * HOUR).toISOString();
    const code = await reportCommand(
      ['--out', lakeOut, '--from', from, '--to', new Date(RANGE.toMs).toISOString(), '--html', file],
      io,
    );
    expect(code).toBe(0);
    const page = readFileSync(file, 'utf8');
    const banner = /<p class="banner warn" id="coverage">([^<]*)<\/p>/.exec(page)?.[1];
    expect(banner).toContain('0 of 3 days loaded; in part: 2026-06-10; not loaded: 2026-06-08, 2026-06-09.');
    expect(page.indexOf('id="coverage"')).toBeLessThan(page.indexOf('class="tiles"'));
    expect(err).toContain('note: 0 of 3 days loaded');
  });

  it('exits 1 on a range the lake holds nothing of, saying how to pull it', async () => {
    let err = '';
    const io = {
      stdout: { write: () => true },
      stderr: { write: (text: string) => (err += text) },
      env: {},
      now: () => NOW,
    };
    const argv = [
      '--out',
      lakeOut,
      '--from',
      '2026-06-01',
      '--to',
      '2026-06-03',
      '--html',
      join(lakeOut, 'none.html'),
    ];
    expect(await reportCommand(argv, io)).toBe(1);
    expect(err).toMatch(
      /nothing of 2026-06-01T00:00:00.000Z .. 2026-06-03T00:00:00.000Z is loaded .*walake run --from/,
    );
    expect(readFileSync(join(lakeOut, 'none.html'), 'utf8')).toContain(
      '0 of 2 days loaded; not loaded: 2026-06-01, 2026-06-02.',
    );
  });
});
