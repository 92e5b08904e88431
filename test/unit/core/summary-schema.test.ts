import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { columnsOf, normalizeRow } from '../../../functions/core/record-schema.js';
import { apiPath, gridMinutesOf, SUMMARY_TABLES, tableFolder } from '../../../functions/core/tables.js';

const spec = JSON.parse(
  readFileSync(new URL('../../fixtures/8x8/work_analytics_historical.json', import.meta.url), 'utf8'),
) as { paths: Record<string, { get: { responses: Record<string, unknown> } }> };

type Schema = {
  content: { 'application/json': { schema: { items: { properties: Record<string, unknown> } } } };
};

const lineage = {
  ingestedAt: '2026-11-28T03:00:00.000Z',
  attempt: 1,
  windowStart: '2026-11-27T00:00:00.000Z',
};

describe('summary tables: one schema per report', () => {
  it('lands each report in its own folder and pulls it per UTC day', () => {
    expect(SUMMARY_TABLES.map(tableFolder)).toEqual([
      'company_summary',
      'extension_summary',
      'ring_group_summary',
      'ring_group_member_summary',
    ]);
    expect(SUMMARY_TABLES.map(apiPath)).toEqual([
      '/v1/compsum',
      '/v2/extsum',
      '/v2/rgsum-groups',
      '/v2/rgsum-members',
    ]);
    for (const table of SUMMARY_TABLES) expect(gridMinutesOf(table, 60)).toBe(1440);
    expect(gridMinutesOf('call-legs', 60)).toBe(60);
  });

  it.each([
    ['company-summary', '/v1/compsum'],
    ['extension-summary', '/v2/extsum'],
    ['ring-group-summary', '/v2/rgsum-groups'],
  ] as const)('%s declares every field of the spec schema of %s, in its order', (table, path) => {
    const ok = spec.paths[path]?.get.responses['200'] as Schema;
    const fields = Object.keys(ok.content['application/json'].schema.items.properties);
    const declared = columnsOf(table).flatMap((c) => (c.apiName ? [c.apiName] : []));
    expect(declared).toEqual(fields);
  });

  it('keeps a documented company summary row whole, and an undocumented field in extra', () => {
    const { row, driftFields, typeMismatches } = normalizeRow(
      'company-summary',
      { pbxId: 'acmecorp', totalCall: 3215, totalTalkTime: 573966607, brandNew: 1 },
      lineage,
    );
    expect(row.pbx_id).toBe('acmecorp');
    expect(row.total_call).toBe(3215);
    expect(row.total_talk_time).toBe(573966607);
    expect(row.extra).toBe('{"brandNew":1}');
    expect(driftFields).toEqual(['brandNew']);
    expect(typeMismatches).toEqual([]);
  });

  it('snake-cases the extension summary capitalized names into pbx_id, so a PBX scope can replace its rows', () => {
    const names = columnsOf('extension-summary').map((c) => c.name);
    expect(names.slice(0, 3)).toEqual(['pbx_id', 'extension', 'service_type']);
    expect(names).toContain('external_inbound_total');
    expect(columnsOf('ring-group-member-summary').map((c) => c.name)).toContain('ring_group_extension');
  });
});
