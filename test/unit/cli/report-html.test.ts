import { describe, expect, it } from 'vitest';
import type { ReportData } from '../../../functions/cli/report-data.js';
import { reportHtml } from '../../../functions/cli/report-html.js';

const data = (callerName: string): ReportData => ({
  lake: '/lakes/<main>',
  from: '2026-06-10T00:00:00.000Z',
  to: '2026-06-11T00:00:00.000Z',
  generatedAt: '2026-06-11T00:00:00.000Z',
  gridMinutes: 60,
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
    expect(html).toContain('<div class="tile" id="total-missed"><b>1</b>missed (33.3 % of inbound)</div>');
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
});
