import type { Callbacks, InboundKpis, ReportData } from './report-data.js';
import { esc } from './report-svg.js';

/** The KPI tiles, each with the same-length period before the range beside it. */

type Kind = 'count' | 'rate' | 'seconds';

interface Kpi {
  id: string;
  label: string;
  kind: Kind;
  value: (k: InboundKpis, c: Callbacks) => number | null;
}

export const pct = (part: number, whole: number) =>
  whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`;
export const secs = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)} s`);

const rate = (part: number, whole: number) => (whole === 0 ? null : (100 * part) / whole);

function shown(kind: Kind, value: number | null): string {
  if (value === null) return '–';
  if (kind === 'rate') return `${value.toFixed(1)} %`;
  if (kind === 'seconds') return secs(value);
  return String(value);
}

const signed = (value: number, digits: number) =>
  `${value > 0 ? '+' : value < 0 ? '−' : '±'}${Math.abs(value).toFixed(digits)}`;

/** The change from the previous value, in the tile's unit: calls (and %), points, seconds. */
export function changeText(kind: Kind, now: number | null, before: number | null): string {
  if (now === null || before === null) return 'no change to show';
  const delta = now - before;
  if (kind === 'rate') return `${signed(delta, 1)} pts`;
  if (kind === 'seconds') return `${signed(delta, 1)} s`;
  const relative = before === 0 ? '' : ` (${signed((100 * delta) / before, 1)} %)`;
  return `${signed(delta, 0)}${relative}`;
}

function kpis(data: ReportData): Kpi[][] {
  const k = data.kpis;
  const h = data.unreturned.callbackHours;
  return [
    [
      {
        id: 'total-inbound',
        label: `inbound calls (${k.outbound} outbound, ${k.internal} internal not counted)`,
        kind: 'count',
        value: (x) => x.inbound,
      },
      {
        id: 'total-answered',
        label: `answered (${pct(k.answered, k.inbound)} of inbound)`,
        kind: 'count',
        value: (x) => x.answered,
      },
      {
        id: 'total-missed',
        label: `missed (${pct(k.missed, k.inbound)} of inbound)`,
        kind: 'count',
        value: (x) => x.missed,
      },
      {
        id: 'total-abandoned',
        label: `abandoned (${pct(k.abandoned, k.inbound)} of inbound)`,
        kind: 'count',
        value: (x) => x.abandoned,
      },
    ],
    [
      {
        id: 'service-level',
        label: `service level: inbound answered within ${k.serviceLevelSeconds} s, of inbound`,
        kind: 'rate',
        value: (x) => rate(x.withinServiceLevel, x.inbound),
      },
      { id: 'asa', label: 'average speed of answer', kind: 'seconds', value: (x) => x.avgAnswerSeconds },
      {
        id: 'p90-wait',
        label: '90th percentile wait, inbound',
        kind: 'seconds',
        value: (x) => x.p90WaitSeconds,
      },
      {
        id: 'total-called-back',
        label: `missed, called back within ${h} h`,
        kind: 'count',
        value: (_, c) => c.called_back,
      },
      {
        id: 'total-unreturned',
        label: `missed, not called back in ${h} h`,
        kind: 'count',
        value: (_, c) => c.not_called_back,
      },
      {
        id: 'total-pending',
        label: `missed, callback pending (less than ${h} h of lake after)`,
        kind: 'count',
        value: (_, c) => c.pending,
      },
    ],
  ];
}

/** The tiles: this period's value, then the previous period's and the change, or "no data" when it is not loaded. */
export function kpiTiles(data: ReportData): string {
  const p = data.previous;
  const loaded = p.coverage.loaded + p.coverage.partly.length > 0;
  // A previous period loaded in part is compared all the same, and says so on every tile.
  const part = p.coverage.loaded < p.coverage.days ? ' · in part' : '';
  const tile = (kpi: Kpi) => {
    const now = kpi.value(data.kpis, data.callbacks);
    const before = loaded ? kpi.value(p.kpis, p.callbacks) : null;
    const previous = loaded
      ? `<small class="prev" data-previous="${before ?? ''}">previous ${esc(shown(kpi.kind, before))} · ${esc(changeText(kpi.kind, now, before))}${part}</small>`
      : `<small class="prev none" data-previous="">previous period: no data</small>`;
    return `<div class="tile" id="${kpi.id}"><b>${esc(shown(kpi.kind, now))}</b>${esc(kpi.label)}${previous}</div>`;
  };
  const rows = kpis(data).map((row) => `<div class="tiles">${row.map(tile).join('')}</div>`);
  const when = `${p.from.slice(0, 16).replace('T', ' ')} to ${p.to.slice(0, 16).replace('T', ' ')} UTC`;
  const state = loaded
    ? `${p.coverage.loaded} of ${p.coverage.days} days loaded`
    : 'not loaded, so no data (pull it with walake run to compare)';
  const note = `<p class="note" id="previous-period">Beside each value: the previous period of the same length, ${esc(when)}: ${esc(state)}.</p>`;
  return `${rows.join('\n')}\n${note}`;
}
