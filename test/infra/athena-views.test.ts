import { describe, expect, it } from 'vitest';
import { viewDefinitions } from '../../functions/core/views.js';
import { resourcesOf } from './cfn.js';
import { synthLake } from './synth.js';

interface ViewJson {
  originalSql: string;
  catalog: string;
  schema: string;
  columns: { name: string; type: string }[];
}

const lake = synthLake({}, { bundle: false });
const tables = resourcesOf(lake.template, 'AWS::Glue::Table').map(([id, r]) => ({
  id,
  depends: ([] as string[]).concat((r as { DependsOn?: string[] }).DependsOn ?? []),
  input: (r.Properties?.TableInput ?? {}) as Record<string, unknown>,
}));
const views = tables.filter((t) => t.input.TableType === 'VIRTUAL_VIEW');

function decoded(text: unknown): ViewJson {
  const match = /^\/\* Presto View: ([A-Za-z0-9+/=]+) \*\/$/.exec(String(text));
  if (!match?.[1]) throw new Error(`not a Presto view text: ${String(text).slice(0, 80)}`);
  return JSON.parse(Buffer.from(match[1], 'base64').toString('utf8')) as ViewJson;
}

describe('the analytics views in the template', () => {
  it('defines the four views as Glue views Athena reads, with the SQL DuckDB runs', () => {
    expect(views.map((v) => v.input.Name).sort()).toEqual([
      'call_journeys',
      'calls_hourly',
      'missed_calls',
      'service_daily',
    ]);
    for (const definition of viewDefinitions()) {
      const view = views.find((v) => v.input.Name === definition.name);
      if (!view) throw new Error(`no view ${definition.name}`);
      expect(view.input.Parameters).toEqual({ presto_view: 'true', comment: 'Presto View' });
      const json = decoded(view.input.ViewOriginalText);
      expect(json).toMatchObject({ catalog: 'awsdatacatalog', schema: 'work_analytics_lake' });
      expect(json.originalSql).toBe(definition.sql);
      expect(json.columns.map((c) => c.name)).toEqual(definition.columns.map((c) => c.name));
      const hive = (view.input.StorageDescriptor as { Columns: { Name: string; Type: string }[] }).Columns;
      expect(hive.map((c) => c.Name)).toEqual(json.columns.map((c) => c.name));
    }
  });

  it('declares the Trino types each view SQL gives', () => {
    const types = Object.fromEntries(
      views.map((v) => [
        v.input.Name,
        Object.fromEntries(decoded(v.input.ViewOriginalText).columns.map((c) => [c.name, c.type])),
      ]),
    );
    expect(types.calls_hourly).toMatchObject({
      hour_utc: 'timestamp(3)',
      calls: 'bigint',
      p90_wait_seconds: 'double',
    });
    expect(types.call_journeys).toMatchObject({
      call_ids: 'array(varchar)',
      answered: 'boolean',
      path: 'array(varchar)',
    });
    expect(types.missed_calls).toMatchObject({
      missed_at: 'timestamp(3)',
      called_back: 'boolean',
      dt: 'varchar',
    });
    expect(types.service_daily).toMatchObject({ day_utc: 'date', legs_offered: 'bigint' });
  });

  it('creates each view after the database and the tables it reads', () => {
    const ids = (type: string) => new Set(tables.filter((t) => t.input.TableType === type).map((t) => t.id));
    const external = ids('EXTERNAL_TABLE');
    for (const view of views) {
      expect(view.depends.filter((d) => external.has(d)).length).toBe(2);
      expect(view.depends.some((d) => d.includes('Database'))).toBe(true);
    }
  });

  it('leaves out a view whose table the stack does not keep', () => {
    const legsOnly = synthLake({ tables: 'call-legs' }, { bundle: false });
    const names = resourcesOf(legsOnly.template, 'AWS::Glue::Table')
      .map(([, r]) => (r.Properties?.TableInput ?? {}) as Record<string, unknown>)
      .filter((t) => t.TableType === 'VIRTUAL_VIEW')
      .map((t) => t.Name)
      .sort();
    expect(names).toEqual(['call_journeys', 'service_daily']);
  });
});
