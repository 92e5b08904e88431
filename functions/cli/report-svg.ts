import type { DayCalls, HourCalls, WindowState } from './report-data.js';

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

/** Calls per UTC day (rows) and hour of start (columns), shaded by volume. */
export function heatmap(hours: readonly HourCalls[], days: readonly string[]): string {
  const cell = 34;
  const left = 90;
  const top = 22;
  const max = Math.max(1, ...hours.map((h) => h.calls));
  const at = new Map(hours.map((h) => [`${h.day} ${h.hour}`, h]));
  const parts: string[] = [];
  for (let hour = 0; hour < 24; hour++) {
    parts.push(
      text(
        left + hour * cell + cell / 2,
        14,
        String(hour).padStart(2, '0'),
        'class="axis" text-anchor="middle"',
      ),
    );
  }
  days.forEach((day, row) => {
    const y = top + row * cell;
    parts.push(text(0, y + cell / 2 + 4, day, 'class="axis"'));
    for (let hour = 0; hour < 24; hour++) {
      const h = at.get(`${day} ${hour}`);
      const calls = h?.calls ?? 0;
      const shade =
        calls === 0 ? '#f1f3f5' : `rgba(21, 101, 192, ${(0.12 + 0.88 * (calls / max)).toFixed(3)})`;
      const x = left + hour * cell;
      parts.push(
        `<rect class="heat" x="${x}" y="${y}" width="${cell - 2}" height="${cell - 2}" rx="3" fill="${shade}" data-day="${day}" data-hour="${hour}" data-calls="${calls}"><title>${esc(`${day} ${String(hour).padStart(2, '0')}:00 UTC: ${calls} calls`)}</title></rect>`,
      );
      if (calls > 0) {
        // A class, not a fill attribute: the page's CSS would override a presentation attribute.
        const tone = calls / max > 0.5 ? 'cell light' : 'cell';
        parts.push(text(x + (cell - 2) / 2, y + cell / 2 + 3, calls, `class="${tone}" text-anchor="middle"`));
      }
    }
  });
  return svg(left + 24 * cell, top + days.length * cell + 4, 'Calls by UTC day and hour', parts.join(''));
}

/** Answered, missed and abandoned calls per day, side by side. */
export function dayBars(days: readonly DayCalls[]): string {
  const kinds = ['answered', 'missed', 'abandoned'] as const;
  const bar = 22;
  const gap = 26;
  const height = 220;
  const top = 18;
  const left = 48;
  const max = Math.max(1, ...days.flatMap((d) => kinds.map((k) => d[k])));
  const parts: string[] = [];
  for (const fraction of [0, 0.5, 1]) {
    const y = top + height - fraction * height;
    parts.push(
      `<line x1="${left - 4}" x2="${left + days.length * (3 * bar + gap)}" y1="${y}" y2="${y}" stroke="#dde1e6"/>`,
    );
    parts.push(text(left - 8, y + 4, Math.round(fraction * max), 'class="axis" text-anchor="end"'));
  }
  days.forEach((d, i) => {
    const x0 = left + i * (3 * bar + gap);
    kinds.forEach((kind, k) => {
      const h = (d[kind] / max) * height;
      const x = x0 + k * bar;
      parts.push(
        `<rect class="bar" x="${x}" y="${top + height - h}" width="${bar - 3}" height="${h}" fill="${COLOURS[kind]}" data-day="${d.day}" data-kind="${kind}" data-value="${d[kind]}"><title>${esc(`${d.day}: ${d[kind]} ${kind}`)}</title></rect>`,
      );
      parts.push(text(x + (bar - 3) / 2, top - 4 + height - h, d[kind], 'class="cell" text-anchor="middle"'));
    });
    parts.push(
      text(x0 + (3 * bar) / 2, top + height + 18, d.day.slice(5), 'class="axis" text-anchor="middle"'),
    );
  });
  return svg(
    left + Math.max(1, days.length) * (3 * bar + gap),
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
      `<rect class="busy" x="${left}" y="${y}" width="${w}" height="${row - 8}" rx="3" fill="#1565c0" data-day="${h.day}" data-hour="${h.hour}" data-calls="${h.calls}"><title>${esc(`${label} UTC: ${h.calls} calls, ${h.answered} answered, ${h.missed} missed, ${h.abandoned} abandoned`)}</title></rect>` +
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
  const parts: string[] = [];
  days.forEach((d, row) => {
    const y = row * (cell + 2);
    parts.push(text(0, y + cell / 2 + 4, d.day, 'class="axis"'));
    d.windows.forEach((state, i) => {
      parts.push(
        `<rect class="window" x="${left + i * cell}" y="${y}" width="${cell - 2}" height="${cell}" fill="${STATE_COLOURS[state]}" data-table="${esc(table)}" data-day="${d.day}" data-window="${i}" data-state="${state}"><title>${esc(`${table} ${d.day} window ${i + 1}: ${state}`)}</title></rect>`,
      );
    });
  });
  return svg(
    left + count * cell,
    Math.max(1, days.length) * (cell + 2),
    `Pipeline health of ${table}`,
    parts.join(''),
  );
}
