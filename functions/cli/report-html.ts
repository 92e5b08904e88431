import type { ReportData, WindowState } from './report-data.js';
import {
  busiestBars,
  COLOURS,
  dayBars,
  esc,
  healthGrid,
  heatmap,
  STATE_COLOURS,
  weekdayHeatmap,
} from './report-svg.js';
import { kpiTiles, pct, secs } from './report-tiles.js';
import { zonesText } from './report-zones.js';

/** The report as one self-contained HTML file: inline CSS and SVG, no script, nothing fetched. */

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px auto;max-width:1200px;color:#1b1b1b;padding:0 16px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:32px 0 8px;border-bottom:1px solid #dde1e6;padding-bottom:4px}
.meta{color:#5f6b7a;margin:0 0 16px}.tiles{display:flex;gap:12px;flex-wrap:wrap}
.tile{border:1px solid #dde1e6;border-radius:8px;padding:10px 16px;min-width:130px}.tile b{display:block;font-size:24px}
svg{display:block;max-width:100%;height:auto}svg text{font-size:11px;fill:#3c4650}svg text.cell{font-size:10px}svg text.light{fill:#fff}
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:4px 8px;border-bottom:1px solid #eef0f2}
th{color:#5f6b7a;font-weight:600}.legend{display:flex;gap:14px;flex-wrap:wrap;margin:6px 0}
.key{display:inline-block;width:12px;height:12px;border-radius:2px;margin-right:5px;vertical-align:-1px}
.chart{overflow-x:auto}.note{color:#5f6b7a;font-size:13px}
.banner{border-radius:8px;padding:10px 16px;margin:0 0 16px;background:#eef6ee;border:1px solid #b9dbb9}
.banner.warn{background:#fff4e0;border-color:#f0c36d}.tiles+.tiles{margin-top:12px}
.tile small{display:block;color:#5f6b7a;font-size:12px;margin-top:2px}.tile small.none{font-style:italic}
td.sl{position:relative;min-width:90px}.meter{position:absolute;left:0;top:3px;bottom:3px;background:#c8e6c9;z-index:-1;border-radius:2px}
#per-hour td,#per-hour th{text-align:right}#per-hour td:first-child,#per-hour th:first-child{text-align:left}
.tablewrap{overflow-x:auto}
#per-hour td{white-space:nowrap}
@media (max-width:600px){body{margin:12px auto;padding:0 10px}.tiles{gap:8px}.tile{min-width:0;flex:1 1 38%;padding:8px 10px;font-size:12px}.tile b{font-size:20px}h1{font-size:20px}td,th{padding:3px 4px;font-size:12px}}`;

const key = (colour: string, label: string) =>
  `<span><span class="key" style="background:${colour}"></span>${esc(label)}</span>`;

/** Service level, speed of answer and p90 wait per local hour: when to staff, not only how the range went. */
function perHourTable(data: ReportData): string {
  const rows = data.perHour
    .map((h) => {
      const sl = h.inbound === 0 ? 0 : (100 * h.within) / h.inbound;
      return `<tr data-hour="${h.hour}" data-inbound="${h.inbound}" data-within="${h.within}"><td>${String(h.hour).padStart(2, '0')}:00</td><td>${h.inbound}</td><td>${h.answered}</td><td>${h.missed} (${pct(h.missed, h.inbound)})</td><td class="sl"><span class="meter" style="width:${sl.toFixed(0)}%"></span>${pct(h.within, h.inbound)}</td><td>${secs(h.avgAnswerSeconds)}</td><td>${secs(h.p90WaitSeconds)}</td></tr>`;
    })
    .join('');
  return `<table id="per-hour"><thead><tr><th>hour</th><th>inbound</th><th>answered</th><th>missed</th><th>service level (${data.kpis.serviceLevelSeconds} s)</th><th>avg speed of answer</th><th>p90 wait</th></tr></thead><tbody>${rows}</tbody></table>`;
}

/** What the range holds, said first: totals over days the lake does not hold would mislead. */
function coverageBanner(data: ReportData): string {
  const c = data.coverage;
  const whole = c.loaded === c.days && c.days > 0;
  const list = (days: string[]) =>
    days.slice(0, 8).join(', ') + (days.length > 8 ? ` and ${days.length - 8} more` : '');
  const parts = [`${c.loaded} of ${c.days} days loaded`];
  if (c.partly.length) parts.push(`in part: ${list(c.partly)}`);
  if (c.missing.length) parts.push(`not loaded: ${list(c.missing)}`);
  const advice = whole
    ? ''
    : ' The numbers below cover only what is loaded; pull the rest with walake run (or walake rerun on AWS).';
  return `<p class="banner${whole ? '' : ' warn'}" id="coverage">${esc(parts.join('; '))}.${esc(advice)}</p>`;
}

/** Renders the report's data; every text is escaped. */
export function reportHtml(data: ReportData): string {
  const days = data.days.map((d) => d.day);
  const unreturned = data.unreturned.shown
    .map(
      (c) =>
        `<tr><td>${esc(c.missed_at)}</td><td>${esc(c.pbx_id)}</td><td>${esc(c.caller)}</td><td>${esc(c.caller_name)}</td><td>${esc(c.callee)}</td><td>${esc(c.outcome)}</td><td>${c.callback_state === 'pending' ? 'pending' : c.hours_to_callback === null ? 'never' : `${esc(c.hours_to_callback)} h later`}</td></tr>`,
    )
    .join('');
  const services = data.services
    .map(
      (r) =>
        `<tr><td>${esc(r.pbx_id)}</td><td>${esc(r.service)}</td><td>${esc(r.type)}</td><td>${r.offered}</td><td>${r.answered} (${pct(r.answered, r.offered)})</td></tr>`,
    )
    .join('');
  const agents = data.agents
    .map(
      (r) =>
        `<tr><td>${esc(r.pbx_id)}</td><td>${esc(r.agent)}</td><td>${esc(r.name)}</td><td>${r.answered}</td></tr>`,
    )
    .join('');
  const states = Object.keys(STATE_COLOURS) as WindowState[];
  // The health section leads with its exceptions; the whole grid is one click away (open when there are any).
  const odd = (['mismatch', 'failed', 'running', 'missing'] as WindowState[]).map((state) => [
    state,
    data.health.reduce(
      (n, t) => n + t.days.reduce((m, d) => m + d.windows.filter((w) => w === state).length, 0),
      0,
    ),
  ]) as [WindowState, number][];
  const healthy = odd.every(([, n]) => n === 0);
  const exceptions = healthy
    ? 'Every window that has ended is published.'
    : `Exceptions: ${odd
        .filter(([, n]) => n > 0)
        .map(([state, n]) => `${n} ${state}`)
        .join(', ')}.`;
  const health = data.health
    .map((t) => {
      const counts = Object.fromEntries(states.map((s) => [s, 0])) as Record<WindowState, number>;
      for (const d of t.days) for (const s of d.windows) counts[s]++;
      const legend = states.map((s) => key(STATE_COLOURS[s], `${s} ${counts[s]}`)).join('');
      return `<h3>${esc(t.table)}</h3><div class="legend" data-table="${esc(t.table)}">${legend}</div><div class="chart">${healthGrid(t.table, t.days)}</div>`;
    })
    .join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8"/>
<meta name="viewport" content="width=device-width, initial-scale=1"/>
<title>8x8 call report ${esc(data.from.slice(0, 10))} to ${esc(data.to.slice(0, 10))}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>8x8 calls: ${esc(data.from.slice(0, 16).replace('T', ' '))} to ${esc(data.to.slice(0, 16).replace('T', ' '))} UTC</h1>
<p class="meta">Lake ${esc(data.lake)} · generated ${esc(data.generatedAt)} · from the views calls_hourly and missed_calls and the ledger</p>
${coverageBanner(data)}
<p class="meta" id="zones">Hours and weekdays are each PBX's local time, ${esc(zonesText(data.zones))}; the range and the pipeline's days are UTC.</p>
${kpiTiles(data)}
<h2>Service level, speed of answer and p90 wait by hour of day (local)</h2>
<p class="note">Inbound calls that started in each hour, over the whole range; hours without inbound calls left out.</p>
<div class="tablewrap">${perHourTable(data)}</div>
<h2>Inbound calls by weekday and hour (local): the staffing pattern</h2>
<div class="chart" id="weekday-inbound">${weekdayHeatmap(data.weekdays, 'inbound')}</div>
<h2>Missed inbound calls by weekday and hour (local)</h2>
<div class="chart" id="weekday-missed">${weekdayHeatmap(data.weekdays, 'missed')}</div>
<h2>Call volume by day and hour (local, by start)</h2>
<div class="chart">${heatmap(data.hours, days)}</div>
<h2>Answered, missed and abandoned per day</h2>
<div class="legend">${key(COLOURS.answered, 'answered')}${key(COLOURS.missed, 'missed')}${key(COLOURS.abandoned, 'abandoned')}</div>
<div class="chart">${dayBars(data.days)}</div>
<p class="note">Counted from the API's words: an abandoned call is usually missed as well.</p>
<h2>Busiest hours (local)</h2>
<div class="chart">${busiestBars(data.busiest)}</div>
<h2>Missed calls without a callback (${data.callbacks.not_called_back} not called back, ${data.callbacks.pending} pending)</h2>
<p class="note">Inbound calls missed or abandoned with no outbound call to the caller's number within ${data.unreturned.callbackHours} h (not called back first, then pending: the lake does not reach ${data.unreturned.callbackHours} h after them yet); the latest ${data.unreturned.shown.length} shown.</p>
<div class="tablewrap"><table id="unreturned"><thead><tr><th>missed at (UTC)</th><th>PBX</th><th>caller</th><th>name</th><th>called</th><th>outcome</th><th>callback</th></tr></thead><tbody>${unreturned}</tbody></table></div>
<h2>Ring groups, queues and services (from service_daily)</h2>
<div class="tablewrap"><table id="services"><thead><tr><th>PBX</th><th>service</th><th>type</th><th>legs offered</th><th>answered</th></tr></thead><tbody>${services}</tbody></table></div>
<h2>Who answered (from call_journeys)</h2>
<div class="tablewrap"><table id="agents"><thead><tr><th>PBX</th><th>answered by</th><th>name</th><th>calls answered</th></tr></thead><tbody>${agents}</tbody></table></div>
<h2>Pipeline health (${data.gridMinutes}-minute windows, from the ledger)</h2>
<p class="note" id="health-summary">${esc(exceptions)}</p>
<details${healthy ? '' : ' open'}><summary>every window, day by day</summary>
${health}
</details>
</body>
</html>
`;
}
