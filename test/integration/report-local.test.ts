import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../functions/cli/report.js';
import type { CallRecordRow } from '../../functions/simulator/index.js';
import { frozen } from '../support/clock.js';
import { runAgainst } from '../support/local-lake.js';
import { analyticsLakes, groupBy, HOUR, NOW, RANGE } from './analytics-lake.js';

/** The busy afternoon and the six hours before it (its previous period), in one lake. */
const PULL = { fromMs: RANGE.fromMs - 6 * HOUR, toMs: RANGE.toMs };
const { simulator, lakeDir } = analyticsLakes();
let lake = '';
let records: CallRecordRow[] = [];

const io = () => ({ stdout: { write: () => true }, stderr: { write: () => true }, env: {}, now: () => NOW });
const iso = (ms: number) => new Date(ms).toISOString();

async function report(name: string, ...flags: string[]): Promise<string> {
  const file = join(lake, name);
  const argv = [
    '--out',
    lake,
    '--from',
    iso(RANGE.fromMs),
    '--to',
    iso(RANGE.toMs),
    '--html',
    file,
    ...flags,
  ];
  expect(await reportCommand(argv, io())).toBe(0);
  return readFileSync(file, 'utf8');
}

const rects = (html: string, kind: string) =>
  [...html.matchAll(new RegExp(`<rect class="${kind}"([^>]*)>`, 'g'))].map((m) =>
    Object.fromEntries([...String(m[1]).matchAll(/data-([\w-]+)="([^"]*)"/g)].map((a) => [a[1], a[2]])),
  );

/** The local wall clock of an instant in a zone, by Intl (not by the SQL under test). */
function local(ms: number, zone: string) {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      weekday: 'short',
    })
      .formatToParts(ms)
      .map((p) => [p.type, p.value]),
  );
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(String(parts.weekday)) + 1;
  return { day: `${parts.year}-${parts.month}-${parts.day}`, hour: Number(parts.hour), weekday };
}

const inRange = () => records.filter((r) => r.startTimeUTC >= RANGE.fromMs && r.startTimeUTC < RANGE.toMs);
const inbound = (rows: CallRecordRow[]) => rows.filter((r) => r.direction === 'Incoming');

beforeAll(async () => {
  const sim = await simulator();
  lake = lakeDir();
  const summary = await runAgainst(sim, lake, { ...PULL, pageSize: 7000, clock: frozen(NOW) });
  expect(summary.failed).toBe(0);
  const truth = sim.truth({ table: 'call-records', ...PULL }) as CallRecordRow[];
  // The rows the lake holds that started in the pull: what the report counts by start.
  records = truth.filter((r) => r.startTimeUTC >= PULL.fromMs && r.startTimeUTC < PULL.toMs);
});

describe('walake report in local time', () => {
  it("reads each PBX's hours and weekdays in its own zone, and names the zones", async () => {
    const zoneOf = (pbx: string) => (pbx === 'acmecorp' ? 'Asia/Kolkata' : 'America/New_York');
    const html = await report('zones.html', '--time-zone', 'America/New_York,acmecorp=Asia/Kolkata');
    expect(html).toContain(
      `Hours and weekdays are each PBX's local time, acme-eu: America/New_York; acmecorp: Asia/Kolkata; acmecorp2: America/New_York;`,
    );
    const rows = inRange();
    const expected = groupBy(rows, (r) => {
      const t = local(r.startTimeUTC, zoneOf(r.pbxId));
      return `${t.day} ${t.hour}`;
    });
    const heat = rects(html, 'heat').filter((c) => Number(c.calls) > 0);
    expect(Object.fromEntries(heat.map((c) => [`${c.day} ${c.hour}`, Number(c.calls)]))).toEqual(
      Object.fromEntries([...expected].map(([k, v]) => [k, v.length])),
    );
    // Kolkata is 5:30 ahead of UTC: its calls straddle local hours that New York's whole-hour shift never makes.
    expect(heat.length).toBeGreaterThan(6);
    const week = groupBy(inbound(rows), (r) => {
      const t = local(r.startTimeUTC, zoneOf(r.pbxId));
      return `${t.weekday} ${t.hour}`;
    });
    const cells = rects(html, 'week-inbound').filter((c) => Number(c.inbound) > 0);
    expect(Object.fromEntries(cells.map((c) => [`${c.weekday} ${c.hour}`, Number(c.inbound)]))).toEqual(
      Object.fromEntries([...week].map(([k, v]) => [k, v.length])),
    );
    const missed = Object.fromEntries(cells.map((c) => [`${c.weekday} ${c.hour}`, Number(c.missed)]));
    for (const [k, v] of week) expect(missed[k], k).toBe(v.filter((r) => r.missed === 'Missed').length);
    expect(Object.values(missed).some((n) => n > 0)).toBe(true);
  });

  it('gives the service level, speed of answer and p90 wait per hour of the day', async () => {
    const html = await report('hours.html', '--service-level-seconds', '30', '--time-zone', 'Europe/Berlin');
    const rows = groupBy(inbound(inRange()), (r) => String(local(r.startTimeUTC, 'Europe/Berlin').hour));
    const table = /<table id="per-hour">.*?<tbody>(.*?)<\/tbody>/s.exec(html)?.[1] ?? '';
    const shown = [
      ...table.matchAll(/<tr data-hour="(\d+)" data-inbound="(\d+)" data-within="(\d+)">(.*?)<\/tr>/g),
    ];
    expect(shown.map((m) => m[1])).toEqual([...rows.keys()].sort((a, b) => Number(a) - Number(b)));
    for (const [, hour, count, within, cells] of shown) {
      const calls = rows.get(String(hour)) ?? [];
      const answered = calls.filter((r) => r.answered === 'Answered');
      expect(Number(count), `hour ${hour}`).toBe(calls.length);
      expect(Number(within), `hour ${hour}`).toBe(answered.filter((r) => r.waitTimeMS <= 30_000).length);
      const asa = answered.reduce((s, r) => s + r.waitTimeMS / 1000, 0) / answered.length;
      const waits = calls.map((r) => r.waitTimeMS / 1000).sort((a, b) => a - b);
      const p90 = waits[Math.ceil(0.9 * waits.length) - 1] ?? 0;
      expect(cells).toContain(`</td><td>${asa.toFixed(1)} s</td><td>${p90.toFixed(1)} s</td>`);
    }
    expect(html).toContain('<th>service level (30 s)</th>');
  });

  it('puts the previous period beside each KPI, counted from its own calls', async () => {
    const html = await report('previous.html');
    const before = inbound(records.filter((r) => r.startTimeUTC < RANGE.fromMs));
    const now = inbound(inRange());
    const previous = (id: string) =>
      new RegExp(`id="${id}"><b>([^<]*)</b>[^<]*<small class="prev" data-previous="([^"]*)">([^<]*)<`).exec(
        html,
      );
    const tile = previous('total-inbound');
    expect(tile?.[1]).toBe(String(now.length));
    expect(tile?.[2]).toBe(String(before.length));
    expect(tile?.[3]).toMatch(
      new RegExp(`^previous ${before.length} · [+−±]${Math.abs(now.length - before.length)}`),
    );
    expect(previous('total-answered')?.[2]).toBe(
      String(before.filter((r) => r.answered === 'Answered').length),
    );
    expect(previous('total-missed')?.[2]).toBe(String(before.filter((r) => r.missed === 'Missed').length));
    const within = before.filter((r) => r.answered === 'Answered' && r.waitTimeMS <= 20_000).length;
    expect(Number(previous('service-level')?.[2])).toBeCloseTo((100 * within) / before.length, 9);
    expect(html).toContain(
      `the previous period of the same length, ${iso(PULL.fromMs).slice(0, 16).replace('T', ' ')} to ${iso(RANGE.fromMs).slice(0, 16).replace('T', ' ')} UTC: 1 of 1 days loaded.`,
    );
    expect(before.length).toBeGreaterThan(0);
  });

  it('refuses an unknown zone or a PBX the lake does not hold, naming the nearest', async () => {
    await expect(report('bad.html', '--time-zone', 'America/New_Yrok')).rejects.toThrow(
      /unknown time zone "America\/New_Yrok". Did you mean America\/New_York\?/,
    );
    await expect(report('bad.html', '--time-zone', 'acmecrop=UTC')).rejects.toThrow(
      /names PBX acmecrop, which the lake has no calls of \(it holds acme-eu, acmecorp, acmecorp2\). Did you mean acmecorp\?/,
    );
  });
});
