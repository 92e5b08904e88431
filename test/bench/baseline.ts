import { mkdir, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Credentials } from '../../functions/adapters/token-provider.js';
import type { Table } from '../../functions/core/tables.js';
import type { Window } from '../../functions/core/windows.js';

/** What the naive pull did. */
export interface BaselineResult {
  requests: number;
  pages: number;
  rows: number;
  /** Time spent waiting for answers (request sent to body received): the API's share, latency included. */
  apiMs: number;
}

export interface BaselineOptions {
  baseUrl: string;
  credentials: Credentials;
  table: Table;
  windows: readonly Window[];
  pageSize: number;
  out: string;
}

const apiTime = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * What someone would write first, the yardstick of the benchmarks: log in, then for each window in turn scroll
 * with plain fetch and append the API's rows as JSON lines to one file. No normalization, no retries, no
 * staging, no ledger, no compression, nothing in parallel.
 */
export async function naivePull(options: BaselineOptions): Promise<BaselineResult> {
  const { baseUrl, credentials, table } = options;
  const login = await fetch(`${baseUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { '8x8-apikey': credentials.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: credentials.username, password: credentials.password }),
  });
  const { access_token: token } = (await login.json()) as { access_token: string };
  const headers = { authorization: `Bearer ${token}`, '8x8-apikey': credentials.apiKey };
  await mkdir(options.out, { recursive: true });
  const file = await open(join(options.out, `${table}.jsonl`), 'w');
  const result: BaselineResult = { requests: 0, pages: 0, rows: 0, apiMs: 0 };
  try {
    for (const window of options.windows) {
      let scrollId: string | undefined;
      for (;;) {
        const params = new URLSearchParams({
          pbxId: 'allpbxes',
          startTime: apiTime(window.startMs),
          endTime: apiTime(window.endMs),
          timeZone: 'UTC',
          pageSize: String(options.pageSize),
        });
        if (scrollId) params.set('scrollId', scrollId);
        result.requests++;
        const asked = performance.now();
        const response = await fetch(`${baseUrl}/v2/${table}?${params}`, { headers });
        const body = await response.text();
        result.apiMs += performance.now() - asked;
        if (!response.ok) throw new Error(`baseline: ${table} answered ${response.status}`);
        const page = JSON.parse(body) as { meta: { scrollId: string }; data: unknown[] };
        if (page.meta.scrollId === 'No Data' || page.data.length === 0) break;
        let text = '';
        for (const row of page.data) text += `${JSON.stringify(row)}\n`;
        await file.write(text);
        result.pages++;
        result.rows += page.data.length;
        scrollId = page.meta.scrollId;
      }
    }
  } finally {
    await file.close();
  }
  return result;
}
