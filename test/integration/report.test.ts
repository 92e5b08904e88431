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
    expect(html.match(/<svg /g)?.length).toBe(5);
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
    expect(html).toContain(`<div class="tile" id="total-unreturned"><b>${unreturned.length}</b>`);
    expect(html).toContain(`Missed calls never called back (${unreturned.length})`);
    expect(html.match(/<tr><td>2026-06-10 /g)?.length).toBe(Math.min(12, unreturned.length));
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
});
