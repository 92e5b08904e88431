import type { DayCalls, HourCalls, WeekdayHour, WindowState } from './report-data.js';

/** Inline SVG charts of the report: no script, no external reference, every number in a title and data-*. */

export const esc = (text: unknown): string =>
  String(text ?? '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');

const svg = (width: number, height: number, label: string, body: string) =>
  `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${esc(label)}">${body}</svg>`;

const text = (x: number, y: number, content: unknown, attrs = '') =>
  `<text x="${x}" y="${y}" ${attrs}>${esc(content)}</text>`;

export const COLOURS = { answered: '#2e7d32', missed: '#ef6c00', abandoned: '#c62828' } as const;

/** How tall a day's row is: whole cells with their number up to a fortnight, thin stripes over 90 days. */
const rowHeight = (days: number) => (days <= 14 ? 34 : days <= 45 ? 18 : 10);

const hourLabels = (left: number, cell: number) =>
  Array.from({ length: 24 }, (_, hour) =>
    text(
      left + hour * cell + cell / 2,
      14,
      String(hour).padStart(2, '0'),
      'class="axis" text-anchor="middle"',
    ),
  ).join('');

/** Calls per local day (rows) and hour of start (columns), shaded by volume. */
export function heatmap(hours: readonly HourCalls[], days: readonly string[]): string {
  const cell = 34;
  const row = rowHeight(days.length);
  // A label on every row that has room for one, else on every seventh (the same weekday).
  const every = row >= 14 ? 1 : 7;
  const left = 90;
  const top = 22;
  const max = Math.max(1, ...hours.map((h) => h.calls));
  const at = new Map(hours.map((h) => [`${h.day} ${h.hour}`, h]));
  const parts: string[] = [hourLabels(left, cell)];
  days.forEach((day, i) => {
    const y = top + i * row;
    if (i % every === 0) parts.push(text(0, y + Math.max(row, 12) / 2 + 4, day, 'class="axis"'));
    for (let hour = 0; hour < 24; hour++) {
      const h = at.get(`${day} ${hour}`);
      const calls = h?.calls ?? 0;
      const shade =
        calls === 0 ? '#f1f3f5' : `rgba(21, 101, 192, ${(0.12 + 0.88 * (calls / max)).toFixed(3)})`;
      const x = left + hour * cell;
      parts.push(
        `<rect class="heat" x="${x}" y="${y}" width="${cell - 2}" height="${row - 2}" rx="${row > 12 ? 3 : 1}" fill="${shade}" data-day="${day}" data-hour="${hour}" data-calls="${calls}"><title>${esc(`${day} ${String(hour).padStart(2, '0')}:00 local: ${calls} calls`)}</title></rect>`,
      );
      if (calls > 0 && row >= 30) {
        // A class, not a fill attribute: the page's CSS would override a presentation attribute.
        const tone = calls / max > 0.5 ? 'cell light' : 'cell';
        parts.push(text(x + (cell - 2) / 2, y + row / 2 + 3, calls, `class="${tone}" text-anchor="middle"`));
      }
    }
  });
  return svg(left + 24 * cell, top + days.length * row + 4, 'Calls by local day and hour', parts.join(''));
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** Inbound (or missed) calls per local weekday (rows, Monday first) and hour, every cell numbered. */
export function weekdayHeatmap(cells: readonly WeekdayHour[], kind: 'inbound' | 'missed'): string {
  const cell = 34;
  const left = 48;
  const top = 22;
  const colour = kind === 'inbound' ? '21, 101, 192' : '239, 108, 0';
  const max = Math.max(1, ...cells.map((c) => c[kind]));
  const at = new Map(cells.map((c) => [`${c.weekday} ${c.hour}`, c]));
  const parts: string[] = [hourLabels(left, cell)];
  WEEKDAYS.forEach((name, i) => {
    const y = top + i * cell;
    parts.push(text(0, y + cell / 2 + 4, name, 'class="axis"'));
    for (let hour = 0; hour < 24; hour++) {
      const c = at.get(`${i + 1} ${hour}`);
      const value = c?.[kind] ?? 0;
      const shade = value === 0 ? '#f1f3f5' : `rgba(${colour}, ${(0.12 + 0.88 * (value / max)).toFixed(3)})`;
      const x = left + hour * cell;
      const title = `${name} ${String(hour).padStart(2, '0')}:00 local: ${c?.inbound ?? 0} inbound, ${c?.missed ?? 0} missed`;
      parts.push(
        `<rect class="week-${kind}" x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" rx="3" fill="${shade}" data-weekday="${i + 1}" data-hour="${hour}" data-inbound="${c?.inbound ?? 0}" data-missed="${c?.missed ?? 0}"><title>${esc(title)}</title></rect>`,
      );
      if (value > 0) {
        const tone = value / max > 0.5 ? 'cell light' : 'cell';
        parts.push(text(x + (cell - 2) / 2, y + cell / 2 + 3, value, `class="${tone}" text-anchor="middle"`));
      }
    }
  });
  return svg(left + 24 * cell, top + 7 * cell + 4, `${kind} calls by local weekday and hour`, parts.join(''));
}

/** Answered, missed and abandoned calls per day, side by side. */
export function dayBars(days: readonly DayCalls[]): string {
  const kinds = ['answered', 'missed', 'abandoned'] as const;
  // Three bars a day, the days within about 1100 px: a fortnight keeps wide bars and their numbers, 90 days
  // become thin bars under a label every week.
  const slot = Math.max(12, Math.min(92, Math.floor(1100 / Math.max(1, days.length))));
  const bar = Math.max(3, Math.floor((slot * 0.75) / 3));
  const height = 220;
  const top = 18;
  const left = 48;
  const every = Math.ceil(56 / slot);
  const max = Math.max(1, ...days.flatMap((d) => kinds.map((k) => d[k])));
  const parts: string[] = [];
  for (const fraction of [0, 0.5, 1]) {
    const y = top + height - fraction * height;
    parts.push(
      `<line x1="${left - 4}" x2="${left + days.length * slot}" y1="${y}" y2="${y}" stroke="#dde1e6"/>`,
    );
    parts.push(text(left - 8, y + 4, Math.round(fraction * max), 'class="axis" text-anchor="end"'));
  }
  days.forEach((d, i) => {
    const x0 = left + i * slot;
    kinds.forEach((kind, k) => {
      const h = (d[kind] / max) * height;
      const x = x0 + k * bar;
      parts.push(
        `<rect class="bar" x="${x}" y="${top + height - h}" width="${Math.max(1, bar - 2)}" height="${h}" fill="${COLOURS[kind]}" data-day="${d.day}" data-kind="${kind}" data-value="${d[kind]}"><title>${esc(`${d.day}: ${d[kind]} ${kind}`)}</title></rect>`,
      );
      if (bar >= 18)
        parts.push(
          text(x + (bar - 2) / 2, top - 4 + height - h, d[kind], 'class="cell" text-anchor="middle"'),
        );
    });
    if (i % every === 0)
      parts.push(
        text(x0 + (3 * bar) / 2, top + height + 18, d.day.slice(5), 'class="axis" text-anchor="middle"'),
      );
  });
  return svg(
    left + Math.max(1, days.length) * slot,
    top + height + 26,
    'Answered, missed and abandoned calls per day',
    parts.join(''),
  );
}

/** The busiest hours as horizontal bars, busiest first. */
export function busiestBars(hours: readonly HourCalls[]): string {
  const row = 26;
  const left = 150;
  const width = 520;
  const max = Math.max(1, ...hours.map((h) => h.calls));
  const parts = hours.map((h, i) => {
    const y = i * row + 4;
    const w = (h.calls / max) * width;
    const label = `${h.day} ${String(h.hour).padStart(2, '0')}:00`;
    return (
      text(0, y + 15, label, 'class="axis"') +
      `<rect class="busy" x="${left}" y="${y}" width="${w}" height="${row - 8}" rx="3" fill="#1565c0" data-day="${h.day}" data-hour="${h.hour}" data-calls="${h.calls}"><title>${esc(`${label} local: ${h.calls} calls, ${h.answered} answered, ${h.missed} missed, ${h.abandoned} abandoned`)}</title></rect>` +
      text(left + w + 6, y + 15, `${h.calls} calls · ${h.missed} missed`, 'class="axis"')
    );
  });
  return svg(left + width + 140, Math.max(1, hours.length) * row + 8, 'Busiest hours', parts.join(''));
}

export const STATE_COLOURS: Readonly<Record<WindowState, string>> = {
  settled: '#2e7d32',
  published: '#81c784',
  mismatch: '#f9a825',
  failed: '#c62828',
  running: '#1e88e5',
  missing: '#9e9e9e',
  pending: '#eceff1',
};

/** One table's ledger: a row per UTC day, a cell per grid window, coloured by state. */
export function healthGrid(
  table: string,
  days: readonly { day: string; windows: readonly WindowState[] }[],
): string {
  const left = 90;
  const count = Math.max(1, ...days.map((d) => d.windows.length));
  const cell = Math.max(6, Math.min(34, Math.floor(816 / count)));
  const high = Math.min(cell, rowHeight(days.length));
  const every = high >= 14 ? 1 : 7;
  const parts: string[] = [];
  days.forEach((d, row) => {
    const y = row * (high + 2);
    if (row % every === 0) parts.push(text(0, y + Math.max(high, 12) / 2 + 4, d.day, 'class="axis"'));
    d.windows.forEach((state, i) => {
      parts.push(
        `<rect class="window" x="${left + i * cell}" y="${y}" width="${cell - 2}" height="${high}" fill="${STATE_COLOURS[state]}" data-table="${esc(table)}" data-day="${d.day}" data-window="${i}" data-state="${state}"><title>${esc(`${table} ${d.day} window ${i + 1}: ${state}`)}</title></rect>`,
      );
    });
  });
  return svg(
    left + count * cell,
    Math.max(1, days.length) * (high + 2),
    `Pipeline health of ${table}`,
    parts.join(''),
  );
}
