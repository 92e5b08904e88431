import type { ReportData, WindowState } from './report-data.js';
import { busiestBars, COLOURS, dayBars, esc, healthGrid, heatmap, STATE_COLOURS } from './report-svg.js';

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
@media (max-width:600px){body{margin:12px auto;padding:0 10px}.tile{min-width:40%;flex:1}h1{font-size:20px}td,th{padding:3px 4px;font-size:12px}}`;

const key = (colour: string, label: string) =>
  `<span><span class="key" style="background:${colour}"></span>${esc(label)}</span>`;

const tile = (label: string, value: unknown, id: string) =>
  `<div class="tile" id="${id}"><b>${esc(value)}</b>${esc(label)}</div>`;

const pct = (part: number, whole: number) => (whole === 0 ? '–' : `${((100 * part) / whole).toFixed(1)} %`);
const secs = (value: number | null) => (value === null ? '–' : `${value.toFixed(1)} s`);

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
  const k = data.kpis;
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
<div class="tiles">${tile(`inbound calls (${k.outbound} outbound, ${k.internal} internal not counted)`, k.inbound, 'total-inbound')}${tile(`answered (${pct(k.answered, k.inbound)} of inbound)`, k.answered, 'total-answered')}${tile(`missed (${pct(k.missed, k.inbound)} of inbound)`, k.missed, 'total-missed')}${tile(`abandoned (${pct(k.abandoned, k.inbound)} of inbound)`, k.abandoned, 'total-abandoned')}</div>
<div class="tiles">${tile(`service level: inbound answered within ${k.serviceLevelSeconds} s, of inbound`, pct(k.withinServiceLevel, k.inbound), 'service-level')}${tile('average speed of answer', secs(k.avgAnswerSeconds), 'asa')}${tile('90th percentile wait, inbound', secs(k.p90WaitSeconds), 'p90-wait')}${tile(`missed, called back within ${data.unreturned.callbackHours} h`, data.callbacks.called_back, 'total-called-back')}${tile(`missed, not called back in ${data.unreturned.callbackHours} h`, data.callbacks.not_called_back, 'total-unreturned')}${tile(`missed, callback pending (less than ${data.unreturned.callbackHours} h of lake after)`, data.callbacks.pending, 'total-pending')}</div>
<h2>Call volume by day and hour (UTC, by start)</h2>
<div class="chart">${heatmap(data.hours, days)}</div>
<h2>Answered, missed and abandoned per day</h2>
<div class="legend">${key(COLOURS.answered, 'answered')}${key(COLOURS.missed, 'missed')}${key(COLOURS.abandoned, 'abandoned')}</div>
<div class="chart">${dayBars(data.days)}</div>
<p class="note">Counted from the API's words: an abandoned call is usually missed as well.</p>
<h2>Busiest hours</h2>
<div class="chart">${busiestBars(data.busiest)}</div>
<h2>Missed calls without a callback (${data.callbacks.not_called_back} not called back, ${data.callbacks.pending} pending)</h2>
<p class="note">Inbound calls missed or abandoned with no outbound call to the caller's number within ${data.unreturned.callbackHours} h (not called back first, then pending: the lake does not reach ${data.unreturned.callbackHours} h after them yet); the latest ${data.unreturned.shown.length} shown.</p>
<table id="unreturned"><thead><tr><th>missed at (UTC)</th><th>PBX</th><th>caller</th><th>name</th><th>called</th><th>outcome</th><th>callback</th></tr></thead><tbody>${unreturned}</tbody></table>
<h2>Ring groups, queues and services (from service_daily)</h2>
<table id="services"><thead><tr><th>PBX</th><th>service</th><th>type</th><th>legs offered</th><th>answered</th></tr></thead><tbody>${services}</tbody></table>
<h2>Who answered (from call_journeys)</h2>
<table id="agents"><thead><tr><th>PBX</th><th>answered by</th><th>name</th><th>calls answered</th></tr></thead><tbody>${agents}</tbody></table>
<h2>Pipeline health (${data.gridMinutes}-minute windows, from the ledger)</h2>
<p class="note" id="health-summary">${esc(exceptions)}</p>
<details${healthy ? '' : ' open'}><summary>every window, day by day</summary>
${health}
</details>
</body>
</html>
`;
}
