import type { Simulator } from '../../functions/simulator/types.js';

/**
 * A bare-bones client of the simulator for its own tests and for benchmarks: no retries, no validation, so
 * tests see exactly what the server sent.
 */
export interface RawPage {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export interface PageBody {
  meta: { totalRecordCount: number; scrollId: string };
  data: Record<string, unknown>[];
}

/** Logs in with the simulator's credentials and returns the access token. */
export async function login(sim: Simulator): Promise<string> {
  const res = await fetch(`${sim.baseUrl}/v1/oauth/token`, {
    method: 'POST',
    headers: { '8x8-apikey': sim.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: sim.username, password: sim.password }).toString(),
  });
  const body = (await res.json()) as { access_token?: string };
  if (!body.access_token) throw new Error(`login failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/** GETs a report path with the given query; headers default to a valid API key and bearer token. */
export async function getReport(
  sim: Simulator,
  path: string,
  query: Record<string, string>,
  token: string | undefined,
  headers: Record<string, string> = {},
): Promise<RawPage> {
  const auth: Record<string, string> = { '8x8-apikey': sim.apiKey };
  if (token) auth.authorization = `Bearer ${token}`;
  const res = await fetch(`${sim.baseUrl}${path}?${new URLSearchParams(query)}`, {
    headers: { ...auth, ...headers },
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** Walks a chain to its "No Data" end; returns every answer body in order (the last one is the "No Data"). */
export async function walkChain(
  sim: Simulator,
  path: string,
  query: Record<string, string>,
  token: string,
  maxRequests = 10_000,
): Promise<PageBody[]> {
  const pages: PageBody[] = [];
  let scrollId: string | undefined;
  for (let i = 0; i < maxRequests; i++) {
    const page = await getReport(sim, path, scrollId ? { ...query, scrollId } : query, token);
    if (page.status !== 200) throw new Error(`page ${i + 1}: ${page.status} ${page.text.slice(0, 300)}`);
    const body = page.json as PageBody;
    pages.push(body);
    if (body.meta.scrollId === 'No Data') return pages;
    scrollId = body.meta.scrollId;
  }
  throw new Error(`no end of chain after ${maxRequests} requests`);
}
