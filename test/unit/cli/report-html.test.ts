import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../../functions/cli/report-data.js';
import { reportHtml } from '../../../functions/cli/report-html.js';

const data = (callerName: string): ReportData => ({
  lake: '/lakes/<main>',
  from: '2026-06-10T00:00:00.000Z',
  to: '2026-06-11T00:00:00.000Z',
  generatedAt: '2026-06-11T00:00:00.000Z',
  gridMinutes: 60,
  zones: [
    { pbx_id: 'acme', zone: 'America/New_York', source: 'flag' },
    { pbx_id: 'acme-eu', zone: 'UTC', source: 'utc' },
  ],
  perHour: [
    { hour: 9, inbound: 3, answered: 2, missed: 1, within: 1, avgAnswerSeconds: 12.5, p90WaitSeconds: 31 },
  ],
  weekdays: [{ weekday: 3, hour: 9, inbound: 3, missed: 1 }],
  previous: {
    from: '2026-06-09T00:00:00.000Z',
    to: '2026-06-10T00:00:00.000Z',
    coverage: { days: 1, loaded: 1, partly: [], missing: [] },
    kpis: {
      inbound: 4,
      answered: 2,
      missed: 2,
      abandoned: 1,
      outbound: 0,
      internal: 0,
      withinServiceLevel: 2,
      serviceLevelSeconds: 20,
      avgAnswerSeconds: 10,
      p90WaitSeconds: null,
    },
    callbacks: { called_back: 1, not_called_back: 1, pending: 0 },
  },
  hours: [{ day: '2026-06-10', hour: 9, calls: 4, answered: 3, missed: 1, abandoned: 0 }],
  days: [{ day: '2026-06-10', calls: 4, answered: 3, missed: 1, abandoned: 0 }],
  busiest: [{ day: '2026-06-10', hour: 9, calls: 4, answered: 3, missed: 1, abandoned: 0 }],
  unreturned: {
    total: 1,
    callbackHours: 24,
    shown: [
      {
        pbx_id: 'acme',
        missed_at: '2026-06-10 09:12',
        caller: '+15550000001',
        caller_name: callerName,
        callee: '1001',
        outcome: 'Missed',
        hours_to_callback: null,
        callback_state: 'not_called_back',
      },
    ],
  },
  kpis: {
    inbound: 3,
    answered: 2,
    missed: 1,
    abandoned: 0,
    outbound: 1,
    internal: 0,
    withinServiceLevel: 1,
    serviceLevelSeconds: 20,
    avgAnswerSeconds: 12.5,
    p90WaitSeconds: 31,
  },
  callbacks: { called_back: 0, not_called_back: 1, pending: 0 },
  coverage: { days: 3, loaded: 1, partly: ['2026-06-10'], missing: ['2026-06-11'] },
  services: [{ pbx_id: 'acme', service: 'Sales', type: 'RingGroup', offered: 4, answered: 3 }],
  agents: [{ pbx_id: 'acme', agent: '1001', name: 'Ann <Lee>', answered: 3 }],
  health: [{ table: 'call-legs', days: [{ day: '2026-06-10', windows: ['settled', 'missing'] }] }],
});

describe('the report page', () => {
  it.each([
    [
      '<script src="https://evil.example/x.js"></script>',
      '&lt;script src=&quot;https://evil.example/x.js&quot;&gt;&lt;/script&gt;',
    ],
    ['<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;'],
    ["Café 'Le Petit' & Co", 'Café &#39;Le Petit&#39; &amp; Co'],
  ])('writes the caller name %s as text, never as markup', (name, escaped) => {
    const html = reportHtml(data(name));
    expect(html).toContain(`<td>${escaped}</td>`);
    expect(html).not.toMatch(/<script|<img/);
  });

  it('says first how much of the range is loaded, and rates inbound calls against inbound calls', () => {
    const html = reportHtml(data('x'));
    const banner = /<p class="banner warn" id="coverage">([^<]*)<\/p>/.exec(html)?.[1] ?? '';
    expect(banner).toContain('1 of 3 days loaded; in part: 2026-06-10; not loaded: 2026-06-11.');
    expect(html.indexOf('id="coverage"')).toBeLessThan(html.indexOf('class="tiles"'));
    expect(html).toContain('<div class="tile" id="total-missed"><b>1</b>missed (33.3 % of inbound)<small');
    expect(html).toContain('<div class="tile" id="service-level"><b>33.3 %</b>');
    expect(html).toContain('<div class="tile" id="asa"><b>12.5 s</b>');
    const whole = reportHtml({ ...data('x'), coverage: { days: 1, loaded: 1, partly: [], missing: [] } });
    expect(whole).toContain('<p class="banner" id="coverage">1 of 1 days loaded.</p>');
  });

  it('lists services and who answered, and leads the health section with its exceptions', () => {
    const html = reportHtml(data('x'));
    expect(html).toContain(
      '<tr><td>acme</td><td>Sales</td><td>RingGroup</td><td>4</td><td>3 (75.0 %)</td></tr>',
    );
    expect(html).toContain('<td>Ann &lt;Lee&gt;</td><td>3</td>');
    expect(html).toContain('<p class="note" id="health-summary">Exceptions: 1 missing.</p>');
    expect(html).toContain('<details open><summary>');
  });

  it('escapes the lake name and colours every window by its state', () => {
    const html = reportHtml(data('x'));
    expect(html).toContain('/lakes/&lt;main&gt;');
    expect(html).toMatch(/data-window="0" data-state="settled"/);
    expect(html).toMatch(/data-window="1" data-state="missing"/);
    expect(html).toContain('settled 1');
  });

  it('shows each KPI beside the previous period, with the change in its own unit', () => {
    const html = reportHtml(data('x'));
    const prev = (id: string) =>
      new RegExp(`id="${id}"><b>[^<]*</b>[^<]*<small[^>]*>([^<]*)</small>`).exec(html)?.[1];
    expect(prev('total-inbound')).toBe('previous 4 · −1 (−25.0 %)');
    expect(prev('total-missed')).toBe('previous 2 · −1 (−50.0 %)');
    expect(prev('service-level')).toBe('previous 50.0 % · −16.7 pts');
    expect(prev('asa')).toBe('previous 10.0 s · +2.5 s');
    expect(prev('p90-wait')).toBe('previous – · no change to show');
    expect(prev('total-called-back')).toBe('previous 1 · −1 (−100.0 %)');
    expect(html).toContain('2026-06-09 00:00 to 2026-06-10 00:00 UTC: 1 of 1 days loaded.');
  });

  it('says "no data" for the previous period when none of it is loaded, never 0', () => {
    const base = data('x');
    const html = reportHtml({
      ...base,
      previous: { ...base.previous, coverage: { days: 1, loaded: 0, partly: [], missing: ['2026-06-09'] } },
    });
    const tiles = [
      ...html.matchAll(/<div class="tile" id="([^"]+)">.*?<small class="prev none"[^>]*>([^<]*)</g),
    ];
    expect(tiles.map((t) => t[1])).toHaveLength(10);
    for (const t of tiles) expect(t[2]).toBe('previous period: no data');
    expect(html).not.toMatch(/previous 0/);
    expect(html).toContain('not loaded, so no data');
    const partly = reportHtml({
      ...base,
      previous: { ...base.previous, coverage: { days: 2, loaded: 1, partly: [], missing: ['2026-06-08'] } },
    });
    expect(partly).toMatch(
      /id="total-inbound"><b>3<\/b>[^<]*<small class="prev"[^>]*>previous 4 · [^<]* · in part</,
    );
  });

  it('draws the hour table, the weekday x hour heatmaps and names each PBX zone', () => {
    const html = reportHtml(data('x'));
    expect(html).toContain(
      '<tr data-hour="9" data-inbound="3" data-within="1"><td>09:00</td><td>3</td><td>2</td><td>1 (33.3 %)</td>',
    );
    expect(html).toMatch(
      /<td class="sl"><span class="meter" style="width:33%"><\/span>33.3 %<\/td><td>12.5 s<\/td><td>31.0 s<\/td>/,
    );
    for (const kind of ['inbound', 'missed']) {
      const cells = [
        ...html.matchAll(
          new RegExp(
            `<rect class="week-${kind}"[^>]*data-weekday="(\\d)" data-hour="(\\d+)" data-inbound="(\\d+)" data-missed="(\\d+)"`,
            'g',
          ),
        ),
      ];
      expect(cells).toHaveLength(7 * 24);
      const wed9 = cells.find((c) => c[1] === '3' && c[2] === '9');
      expect(wed9?.slice(3)).toEqual(['3', '1']);
    }
    expect(html).toContain(
      `id="zones">Hours and weekdays are each PBX's local time, acme: America/New_York; acme-eu: UTC (no --time-zone given);`,
    );
  });
});
