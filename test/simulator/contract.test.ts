import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPANY_SUMMARY_FIELDS,
  EXTENSION_SUMMARY_FIELDS,
  RING_GROUP_MEMBER_SUMMARY_FIELDS,
  RING_GROUP_SUMMARY_FIELDS,
} from '../../functions/core/columns-summary.js';
import { DRIFT_FIELDS, type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { getReport, login, type PageBody } from './test-client.js';

/**
 * The simulator against the OpenAPI spec (a verbatim copy of 8x8's work_analytics_historical.json): every example
 * body of the token, call-legs and call-records operations, and the shape of what the simulator answers.
 */
const spec = JSON.parse(
  readFileSync(new URL('../fixtures/8x8/work_analytics_historical.json', import.meta.url), 'utf8'),
);

interface Example {
  value: string;
}
type Schema = { type?: string; properties?: Record<string, Schema>; items?: Schema };

function examples(path: string, method: string, status: string): Record<string, Example> {
  return spec.paths[path][method].responses[status].content['application/json'].examples;
}
function example(path: string, method: string, status: string, name: string): string {
  const found = examples(path, method, status)[name];
  if (!found) throw new Error(`no example ${name} for ${status} ${path}`);
  return found.value;
}
function rowSchema(path: string): Record<string, Schema> {
  return spec.paths[path].get.responses['200'].content['application/json'].schema.properties.data.items
    .properties;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}
/** A body's shape: keys and JSON types, recursively (arrays by their first element). */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.length > 0 ? [shape(v[0])] : [];
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shape(x)]));
  }
  return jsonType(v);
}

// Fields the examples show as null or as one type, that the simulator also fills with the other, as the API does.
const ALSO_NULL = new Set(['departments', 'branches', 'calleeSvcName', 'calleeSvcType', 'aaDestination']);
const NULL_OR_STRING = new Set([
  'parentCallId',
  'transferToCallId',
  'callerDeviceId',
  'calleeDeviceId',
  'callerSvcName',
  'callerSvcType',
]);

function compatible(key: string, expected: string, actual: string): boolean {
  if (expected === actual) return true;
  if (actual === 'null' && ALSO_NULL.has(key)) return true;
  return expected === 'null' && NULL_OR_STRING.has(key) && actual === 'string';
}

/** The call-records 200 example misses a comma after "calleeHoldDuration": "00:00:00"; this puts it back. */
function repairRecordsExample(text: string): string {
  return text.replace(/("calleeHoldDuration": "00:00:00")(\s*"departments")/, '$1,$2');
}

const NOW = Date.UTC(2026, 5, 20, 12);
const DAY = {
  pbxId: 'allpbxes',
  startTime: '2026-06-10 00:00:00',
  endTime: '2026-06-10 23:59:59',
  timeZone: 'UTC',
};
let sim: Simulator;
let token: string;
beforeAll(async () => {
  sim = await startSimulator({ now: () => NOW, deniedPbxIds: ['acme-eu'] });
  token = await login(sim);
});
afterAll(() => sim.close());

describe('spec examples', () => {
  it('parses every example body of the token and call-legs operations', () => {
    for (const [path, method] of [
      ['/v1/oauth/token', 'post'],
      ['/v2/call-legs', 'get'],
    ] as const) {
      for (const [status, response] of Object.entries(spec.paths[path][method].responses)) {
        const all = (response as { content: { 'application/json': { examples: Record<string, Example> } } })
          .content['application/json'].examples;
        for (const ex of Object.values(all))
          expect(() => JSON.parse(ex.value), `${path} ${status}`).not.toThrow();
      }
    }
  });

  it('finds the call-records 200 example invalid JSON (a comma is missing after calleeHoldDuration) and repairs it', () => {
    const raw = example('/v2/call-records', 'get', '200', 'Result');
    expect(() => JSON.parse(raw)).toThrow(SyntaxError);
    const repaired = JSON.parse(repairRecordsExample(raw)) as PageBody;
    expect(repaired.data[0]?.callLegCount).toBe('1');
    for (const status of ['400', '401', '403']) {
      for (const ex of Object.values(examples('/v2/call-records', 'get', status))) {
        expect(() => JSON.parse(ex.value)).not.toThrow();
      }
    }
  });
});

describe.each([
  ['/v2/call-legs', (raw: string) => raw],
  ['/v2/call-records', repairRecordsExample],
])('rows of %s', (path, prepare) => {
  it('carry every example and schema key with a compatible JSON type, and no other key than the drift fields', async () => {
    const exampleRow = (JSON.parse(prepare(example(path, 'get', '200', 'Result'))) as PageBody).data[0] ?? {};
    const schema = rowSchema(path);
    const page = await getReport(sim, path, { ...DAY, pageSize: '7000' }, token);
    const rows = (page.json as PageBody).data;
    expect(rows.length).toBeGreaterThan(500);
    const allowed = new Set([...Object.keys(exampleRow), ...Object.keys(schema), ...DRIFT_FIELDS]);
    // Problems are collected and compared once: an expect per field of thousands of rows would be slow.
    const problems = new Set<string>();
    for (const row of rows) {
      for (const [key, value] of Object.entries(exampleRow)) {
        if (!(key in row)) problems.add(`${key} missing`);
        else if (!compatible(key, jsonType(value), jsonType(row[key])))
          problems.add(`${key}: ${jsonType(row[key])}`);
      }
      for (const key of Object.keys(schema)) if (!(key in row)) problems.add(`${key} (schema) missing`);
      for (const key of Object.keys(row)) if (!allowed.has(key)) problems.add(`unexpected ${key}`);
    }
    expect([...problems]).toEqual([]);
    const meta = (JSON.parse(prepare(example(path, 'get', '200', 'Result'))) as PageBody).meta;
    expect(shape((page.json as PageBody).meta)).toEqual(shape(meta));
  });
});

describe('error bodies have the spec shapes', () => {
  it('answers a missing API key with the exact SHA001 body, on the token and report endpoints', async () => {
    const sha001 = JSON.parse(example('/v1/oauth/token', 'post', '400', 'Invalid API Key'));
    const tokenRes = await fetch(`${sim.baseUrl}/v1/oauth/token`, { method: 'POST' });
    expect(tokenRes.status).toBe(400);
    expect(await tokenRes.json()).toEqual(sha001);
    const report = await getReport(sim, '/v2/call-legs', { ...DAY, pageSize: '10' }, token, {
      '8x8-apikey': 'nope',
    });
    expect(report.status).toBe(400);
    expect(report.json).toEqual(JSON.parse(example('/v2/call-legs', 'get', '400', 'Invalid API Key')));
  });

  it('answers an unknown user with the Authentication Error example', async () => {
    const res = await fetch(`${sim.baseUrl}/v1/oauth/token`, {
      method: 'POST',
      headers: { '8x8-apikey': sim.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=someone%40else.com&password=x',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual(
      JSON.parse(example('/v1/oauth/token', 'post', '400', 'Authentication Error')),
    );
  });

  it('gives a token answer, 401, 403 and parameter 400 bodies the shapes of the examples', async () => {
    const tokenRes = await fetch(`${sim.baseUrl}/v1/oauth/token`, {
      method: 'POST',
      headers: { '8x8-apikey': sim.apiKey, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: sim.username, password: sim.password }).toString(),
    });
    expect(shape(await tokenRes.json())).toEqual(
      shape(JSON.parse(example('/v1/oauth/token', 'post', '200', 'Result'))),
    );
    const unauthorized = await getReport(sim, '/v2/call-legs', { ...DAY, pageSize: '10' }, 'not-a-jwt');
    expect(unauthorized.json).toEqual(
      JSON.parse(example('/v2/call-legs', 'get', '401', 'Invalid Bearer Token Format')),
    );
    for (const path of ['/v2/call-legs', '/v2/call-records']) {
      const denied = await getReport(sim, path, { ...DAY, pbxId: 'acmecorp,acme-eu', pageSize: '10' }, token);
      const expected = JSON.parse(example(path, 'get', '403', 'Result'));
      expect(denied.status).toBe(403);
      expect(shape(denied.json)).toEqual(shape(expected));
      expect(denied.json).toMatchObject({ error: 'Access Denied', path: expected.path });
      expect((denied.json as { message: string }).message).toMatch(
        /does not have access to pbxId\(acme-eu\)/,
      );
    }
    const bad = await getReport(sim, '/v2/call-legs', { ...DAY, pageSize: '0' }, token);
    expect(bad.status).toBe(400);
    expect(shape(bad.json)).toEqual(
      shape(JSON.parse(example('/v2/call-legs', 'get', '400', 'Invalid API Key'))),
    );
  });
});

describe('summary answers against the spec schemas', () => {
  // The spec's rgsum-members schema is a copy of the ring groups'; the guide's example is the truth there.
  const MEMBER_GUIDE_EXAMPLE = {
    pbxId: 'acpmecorp',
    site: 'West',
    firstName: 'Marty',
    lastName: 'McFly',
    ringGroupName: 'Management',
    ringGroupExtension: '100169',
    extension: '100065',
    totalAnswered: 0,
    totalAdvanced: 5,
    totalTalkTime: 0,
    totalRingTime: 53821,
    totalCalls: 5,
    avgRingTime: 10764,
    avgTalkTime: 0,
    offered: 5,
  };
  const schemaOf = (path: string): Record<string, string> => {
    if (path === '/v2/rgsum-members')
      return Object.fromEntries(
        Object.entries(MEMBER_GUIDE_EXAMPLE).map(([k, v]) => [
          k,
          typeof v === 'number' ? 'integer' : 'string',
        ]),
      );
    const props = spec.paths[path].get.responses['200'].content['application/json'].schema.items.properties;
    return Object.fromEntries(
      Object.entries(props as Record<string, Schema>).map(([k, s]) => [k, s.type ?? '']),
    );
  };
  const typeOk = (t: string, v: unknown) => (t === 'integer' ? Number.isInteger(v) : typeof v === t);

  it.each([
    ['/v1/compsum', COMPANY_SUMMARY_FIELDS, {}],
    ['/v2/extsum', EXTENSION_SUMMARY_FIELDS, {}],
    ['/v2/rgsum-groups', RING_GROUP_SUMMARY_FIELDS, {}],
    ['/v2/rgsum-members', RING_GROUP_MEMBER_SUMMARY_FIELDS, { extId: '118010' }],
  ])(
    '%s answers an array of rows with exactly the schema fields, typed as it says',
    async (path, fields, extra) => {
      const schema = schemaOf(path);
      expect(Object.keys(schema)).toEqual(fields.map((f) => f.apiName));
      const res = await getReport(sim, path, { ...DAY, pbxId: 'acmecorp', ...extra }, token);
      expect(res.status).toBe(200);
      const rows = res.json as Record<string, unknown>[];
      expect(Array.isArray(rows) && rows.length > 0).toBe(true);
      const problems = new Set<string>();
      for (const row of rows) {
        if (Object.keys(row).join() !== Object.keys(schema).join())
          problems.add(`keys ${Object.keys(row).join()}`);
        for (const [k, t] of Object.entries(schema))
          if (!typeOk(t, row[k])) problems.add(`${k}: ${String(row[k])}`);
      }
      expect([...problems]).toEqual([]);
    },
  );

  it('finds the rgsum-groups example invalid JSON (a trailing comma) and the others parseable', () => {
    expect(() => JSON.parse(example('/v2/rgsum-groups', 'get', '200', 'Result'))).toThrow(SyntaxError);
    for (const path of ['/v1/compsum', '/v2/extsum'])
      expect(Array.isArray(JSON.parse(example(path, 'get', '200', 'Result')))).toBe(true);
  });

  it('answers the 400, 401 and 403 of the summaries in the spec shapes', async () => {
    const path = '/v1/compsum';
    const key = await getReport(sim, path, DAY, token, { '8x8-apikey': 'nope' });
    expect(key.json).toEqual(JSON.parse(example(path, 'get', '400', 'Invalid API Key')));
    const bad = await getReport(sim, path, DAY, 'not-a-jwt');
    expect(bad.json).toEqual(JSON.parse(example(path, 'get', '401', 'Invalid Bearer Token Format')));
    const denied = await getReport(sim, path, { ...DAY, pbxId: 'acme-eu' }, token);
    expect(denied.status).toBe(403);
    expect(shape(denied.json)).toEqual(shape(JSON.parse(example(path, 'get', '403', 'Result'))));
  });
});
