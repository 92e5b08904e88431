import { parseApiPage } from '../../functions/core/api-page.js';
import { chainStep } from '../../functions/core/chain-step.js';
import { encodeLines } from '../../functions/core/lake-lines.js';
import { firstPageTask } from '../../functions/core/page-task.js';
import type { Table } from '../../functions/core/tables.js';
import { type Window, windowId } from '../../functions/core/windows.js';
import type { Figure } from './figure.js';
import { fixed, median } from './measure.js';
import type { SimProcess } from './sim-process.js';

/** The rows' `_ingested_at`: a fixed instant, so the measured work is the same on every run. */
const INGESTED_AT_MS = Date.UTC(2026, 5, 11);

const apiTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/** The body of the first page of a window, as the API sends it. */
export async function fetchPageText(
  sim: SimProcess,
  table: Table,
  window: Window,
  pageSize: number,
): Promise<string> {
  const { apiKey, username, password } = sim.credentials;
  const login = await fetch(`${sim.baseUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { '8x8-apikey': apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username, password }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const params = new URLSearchParams({
    pbxId: 'allpbxes',
    startTime: apiTime(window.startMs),
    endTime: apiTime(window.endMs),
    timeZone: 'UTC',
    pageSize: String(pageSize),
  });
  const response = await fetch(`${sim.baseUrl}/v2/${table}?${params}`, {
    headers: { authorization: `Bearer ${token}`, '8x8-apikey': apiKey },
  });
  return response.text();
}

const STAGES = ['parse', 'envelope', 'normalize', 'encode'] as const;

/**
 * The worker's CPU path on one page, on this thread (one core): JSON.parse of the body as the client does,
 * the envelope check, `chainStep` (window filter, normalization) and `encodeLines` (JSON lines, gzip), against
 * a bare JSON.parse + JSON.stringify of the same body. Paired repetitions; medians.
 */
export function cpuPathFigure(table: Table, window: Window, text: string, repeats: number): Figure {
  const task = firstPageTask({
    table,
    window: windowId(window),
    pbx: 'allpbxes',
    attempt: 1,
    chain: 'cpubench0001',
    pageSize: 7000,
    isConnectTime: false,
    isSimplified: false,
  });
  const stages: Record<(typeof STAGES)[number], number[]> = {
    parse: [],
    envelope: [],
    normalize: [],
    encode: [],
  };
  const paths: number[] = [];
  const bares: number[] = [];
  const ratios: number[] = [];
  let rows = 0;
  let bytes = 0;
  for (let i = 0; i < repeats + 1; i++) {
    const t0 = performance.now();
    const json: unknown = JSON.parse(text);
    const t1 = performance.now();
    const page = parseApiPage(json);
    const t2 = performance.now();
    const step = chainStep(task, page, { ingestedAtMs: INGESTED_AT_MS });
    const t3 = performance.now();
    bytes = encodeLines(step.rows).length;
    const t4 = performance.now();
    JSON.stringify(JSON.parse(text));
    const t5 = performance.now();
    rows = page.data.length;
    if (i === 0) continue; // warm-up
    stages.parse.push(t1 - t0);
    stages.envelope.push(t2 - t1);
    stages.normalize.push(t3 - t2);
    stages.encode.push(t4 - t3);
    paths.push(t4 - t0);
    bares.push(t5 - t4);
    ratios.push((t4 - t0) / (t5 - t4));
  }
  const path = median(paths);
  const rate = (rows / path) * 1000;
  const ratio = median(ratios);
  const parts = STAGES.map((s) => `${s} ${fixed(median(stages[s]), 0)}`).join(', ');
  return {
    name: `CPU path, one ${rows}-row ${table} page (${(text.length / 1e6).toFixed(1)} MB) on one core`,
    value: `${fixed(rate / 1000, 1)}k rows/s; ${fixed(ratio, 2)}× bare parse + stringify`,
    goal: '≥ 25k rows/s and ≤ 2.5×',
    met: rate >= 25_000 && ratio <= 2.5,
    why:
      `${fixed(path, 0)} ms per page: ${parts} ms (encode = JSON lines + gzip, ` +
      `${(bytes / 1e6).toFixed(2)} MB out); a bare parse + stringify takes ${fixed(median(bares), 0)} ms`,
  };
}
