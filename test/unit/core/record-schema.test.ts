import { describe, expect, it } from 'vitest';
import { RowSchemaError } from '../../../functions/core/coerce.js';
import { parseExactJson } from '../../../functions/core/exact-json.js';
import {
  columnsOf,
  duckdbColumns,
  glueColumns,
  lineageOf,
  normalizeRow,
  snakeCase,
} from '../../../functions/core/record-schema.js';
import { TABLES, type Table } from '../../../functions/core/tables.js';
import { documentedFields, guideExample, specExample } from './spec-examples.js';

const window = { startMs: Date.parse('2022-02-03T14:00:00Z'), endMs: Date.parse('2022-02-03T15:00:00Z') };
const lineage = lineageOf(window, 3, Date.parse('2026-11-27T05:00:00Z'));
const LINEAGE = {
  _ingested_at: '2026-11-27T05:00:00.000Z',
  _attempt: 3,
  _window_start: '2022-02-03T14:00:00.000Z',
};

describe('snakeCase', () => {
  it.each([
    ['disconnectedTimeUTC', 'disconnected_time_utc'],
    ['talkTimeMS', 'talk_time_ms'],
    ['pbxId', 'pbx_id'],
    ['aaPath', 'aa_path'],
    ['callerSvcName', 'caller_svc_name'],
    ['calleeHoldDurationMS', 'callee_hold_duration_ms'],
    ['startTimeUTC', 'start_time_utc'],
    ['sipCallId', 'sip_call_id'],
    ['lraType', 'lra_type'],
    ['dnis', 'dnis'],
    ['HTTPServerId', 'http_server_id'],
  ])('%s -> %s', (apiName, column) => {
    expect(snakeCase(apiName)).toBe(column);
  });
});

describe.each(TABLES)('the %s columns', (table) => {
  const columns = columnsOf(table);
  const names = columns.map((c) => c.name);

  it('cover every documented field exactly once, named by snakeCase', () => {
    const apiNames = columns.flatMap((c) => (c.apiName ? [c.apiName] : []));
    expect(new Set(apiNames).size).toBe(apiNames.length);
    expect(new Set(apiNames)).toEqual(documentedFields(table));
    for (const c of columns) if (c.apiName) expect(c.name).toBe(snakeCase(c.apiName));
  });

  it('have unique names, none of them date, ending with extra and the lineage columns', () => {
    expect(new Set(names).size).toBe(names.length);
    expect(names).not.toContain('date');
    expect(names.slice(-4)).toEqual(['extra', '_ingested_at', '_attempt', '_window_start']);
    expect(columns.every((c) => c.doc.length > 0)).toBe(true);
  });

  it('give Glue and DuckDB one type per column, in the same order', () => {
    const glue = {
      string: 'string',
      local_time: 'string',
      epoch_ms: 'bigint',
      bigint: 'bigint',
      int: 'int',
      'string[]': 'array<string>',
    };
    const duck = {
      string: 'VARCHAR',
      local_time: 'VARCHAR',
      epoch_ms: 'BIGINT',
      bigint: 'BIGINT',
      int: 'INTEGER',
      'string[]': 'VARCHAR[]',
    };
    expect(glueColumns(table)).toEqual(columns.map((c) => ({ name: c.name, type: glue[c.type] })));
    expect(Object.entries(duckdbColumns(table))).toEqual(columns.map((c) => [c.name, duck[c.type]]));
  });

  it('store no API number in a 32-bit int column: only the lineage attempt is one', () => {
    expect(columns.filter((c) => c.type === 'int').map((c) => c.name)).toEqual(['_attempt']);
    expect(glueColumns(table).filter((c) => c.type === 'int')).toEqual([{ name: '_attempt', type: 'int' }]);
    expect(Object.entries(duckdbColumns(table)).filter(([, type]) => type === 'INTEGER')).toEqual([
      ['_attempt', 'INTEGER'],
    ]);
  });

  it('normalize every documented example row without drift, keys in column order', () => {
    for (const apiRow of [...specExample(table).data, ...guideExample(table).data]) {
      const { row, driftFields, typeMismatches } = normalizeRow(table, apiRow, lineage);
      expect(driftFields).toEqual([]);
      expect(typeMismatches).toEqual([]);
      expect(Object.keys(row)).toEqual(names);
      expect(row.extra).toBeNull();
    }
  });
});

describe('normalizeRow on the spec examples', () => {
  it('turns the first call-legs example row into its lake row', () => {
    const { row } = normalizeRow('call-legs', specExample('call-legs').data[0], lineage);
    expect(row).toStrictEqual({
      call_id: '1635571048351',
      leg_id: '1',
      start_time_utc: 1643898447499,
      start_time: '2022-02-03T09:27:27.499-0500',
      connect_time_utc: 1643898447539,
      connect_time: '2022-02-03T09:27:27.539-0500',
      disconnected_time_utc: 1643898472253,
      disconnected_time: '2022-02-03T09:27:52.253-0500',
      talk_time_ms: 0,
      talk_time: '00:00:00',
      caller: '+15555551211',
      caller_name: 'John Smith',
      callee: 'Voicemail (120088)',
      callee_name: 'Jane Li',
      lra: '120088',
      direction: 'Incoming',
      parent_call_id: null,
      transfer_to_call_id: null,
      dnis: '12029325720',
      status: 'Completed',
      caller_device_id: null,
      callee_device_id: null,
      caller_device_model: '',
      callee_device_model: '',
      caller_id: 'John Smith,+15555551211',
      missed: 'Missed',
      abandoned: '-',
      answered: '-',
      cause: 'Ring No Answer',
      caller_svc_name: null,
      caller_svc_type: null,
      callee_svc_name: 'VMadvanced',
      callee_svc_type: 'Custom',
      lra_type: 1,
      callee_hold_duration_ms: 0,
      callee_hold_duration: '00:00:00',
      callee_disconnect_on_hold: '',
      caller_disconnect_on_hold: '',
      pbx_id: 'demonstrationname',
      sip_call_id: '170437510_134011744@206.147.76.5',
      departments: ['Sales Engineering'],
      branches: ['Central'],
      record_service_on: '',
      barge_service_on: '',
      master_slave_exts: '',
      props_last_party_disp: 'Voicemail',
      account_code: '',
      aa_path: '',
      call_time: 24754,
      extra: null,
      ...LINEAGE,
    });
  });

  it('turns the repaired call-records example row into its lake row: lra kept, absent fields null', () => {
    const { row, driftFields } = normalizeRow('call-records', specExample('call-records').data[0], lineage);
    expect(driftFields).toEqual([]);
    expect(row).toStrictEqual({
      dnis: '12029325720',
      aa_destination: null,
      call_id: '1635571048351',
      start_time_utc: 1643898447499,
      start_time: '2022-02-03T09:27:27.499-0500',
      connect_time_utc: 1643898447539,
      connect_time: '2022-02-03T09:27:27.539-0500',
      disconnected_time_utc: 1643898472253,
      disconnected_time: '2022-02-03T09:27:52.253-0500',
      talk_time_ms: null,
      talk_time: null,
      caller: '+15555551211',
      caller_name: 'John Smith',
      callee: 'Voicemail (120088)',
      callee_name: 'Jane Li',
      lra: '120088',
      direction: 'Incoming',
      caller_id: 'John Smith,+15555551211',
      missed: 'Missed',
      abandoned: '-',
      answered: '-',
      answered_time: 0,
      callee_disconnect_on_hold: '',
      caller_disconnect_on_hold: '',
      pbx_id: 'demonstrationname',
      sip_call_id: '170437510_134011744@206.147.76.5',
      last_leg_disposition: 'Voicemail',
      call_leg_count: '1',
      call_time: 24760,
      ring_duration: 39,
      abandoned_time: 0,
      callee_hold_duration_ms: 0,
      callee_hold_duration: '00:00:00',
      wait_time_ms: null,
      wait_time: null,
      departments: ['Sales Engineering'],
      branches: ['Central'],
      extra: null,
      ...LINEAGE,
    });
  });

  it('reads a never-connected call (connectTimeUTC 0, connectTime "0") as null', () => {
    const apiRow = guideExample('call-records').data[0];
    expect(apiRow).toMatchObject({ connectTimeUTC: 0, connectTime: '0' });
    const { row } = normalizeRow('call-records', apiRow, lineage);
    expect(row).toMatchObject({ connect_time_utc: null, connect_time: null, start_time_utc: 1643898447493 });
  });
});

describe('normalizeRow coercion', () => {
  const base = specExample('call-legs').data[0] as Record<string, unknown>;
  const one = (table: Table, field: string, value: unknown) =>
    normalizeRow(table, { ...base, [field]: value }, lineage).row[snakeCase(field)];

  it.each<[string, unknown, unknown]>([
    ['talkTimeMS', '1500', 1500],
    ['lraType', '4', 4],
    ['callId', 1635571048351, '1635571048351'],
    ['legId', 2, '2'],
    ['parentCallId', 1635571048300, '1635571048300'],
    ['callerDeviceId', 42, '42'],
    ['connectTimeUTC', '0', null],
    ['connectTimeUTC', 0, null],
    ['startTimeUTC', '1643898447499', 1643898447499],
    ['connectTime', '0', null],
    ['connectTime', 0, null],
    ['missed', '-', '-'],
    ['departments', null, null],
    ['departments', [], []],
    ['departments', ['Sales', 7, null], ['Sales', '7', null]],
    ['status', undefined, null],
  ])('%s %j -> %j', (field, value, expected) => {
    expect(one('call-legs', field, value)).toStrictEqual(expected);
  });

  it.each<[string, unknown]>([
    ['talkTimeMS', '12s'],
    ['talkTimeMS', '01'],
    ['talkTimeMS', ''],
    ['talkTimeMS', 1.5],
    ['talkTimeMS', 2 ** 60],
    ['talkTimeMS', true],
    ['talkTimeMS', '12345678901234567891'],
    ['startTimeUTC', 'yesterday'],
    ['startTimeUTC', -5],
    ['startTimeUTC', 1.5],
    ['connectTime', 5],
    ['departments', 'Sales'],
    ['departments', [{ name: 'Sales' }]],
    ['callId', { id: 1 }],
    ['callId', 2 ** 60],
    ['lraType', [4]],
  ])(
    'keeps the row when %s %j does not fit its column: null, the value in extra, a type mismatch',
    (field, value) => {
      const { row, driftFields, typeMismatches } = normalizeRow(
        'call-legs',
        { ...base, [field]: value },
        lineage,
      );
      expect(row[snakeCase(field)]).toBeNull();
      expect(JSON.parse(row.extra as string)).toEqual({ [field]: value });
      expect(typeMismatches).toEqual([field]);
      expect(driftFields).toEqual([]);
      expect(row.caller_name).toBe('John Smith');
    },
  );

  it.each([null, 'row', 42, [1]])('refuses a row that is not an object: %j', (apiRow) => {
    expect(() => normalizeRow('call-records', apiRow, lineage)).toThrow(RowSchemaError);
  });

  it('keeps undocumented fields in extra and names them as drift', () => {
    // JSON.parse makes "__proto__" an own key, as it would be in an API answer.
    const text = JSON.stringify({ ...base, queueName: 'Sales "A"', score: 9 });
    const apiRow = JSON.parse(`${text.slice(0, -1)},"__proto__":{"x":1}}`);
    const { row, driftFields } = normalizeRow('call-legs', apiRow, lineage);
    expect(driftFields).toEqual(['queueName', 'score', '__proto__']);
    expect(JSON.parse(row.extra as string)).toEqual(
      JSON.parse('{"queueName":"Sales \\"A\\"","score":9,"__proto__":{"x":1}}'),
    );
    expect(row.call_id).toBe('1635571048351');
  });

  it('keeps undocumented fields and mismatched values side by side in extra, in the API order', () => {
    const apiRow = { ...base, queueName: 'Sales', talkTimeMS: 'long', callTime: { s: 1 } };
    const { row, driftFields, typeMismatches } = normalizeRow('call-legs', apiRow, lineage);
    expect(driftFields).toEqual(['queueName']);
    expect(typeMismatches).toEqual(['talkTimeMS', 'callTime']);
    expect(row.extra).toBe('{"talkTimeMS":"long","callTime":{"s":1},"queueName":"Sales"}');
    expect(row).toMatchObject({ talk_time_ms: null, call_time: null });
  });
});

describe('normalizeRow on a call-records field whose unit the docs leave open', () => {
  const base = specExample('call-records').data[0] as Record<string, unknown>;
  const EPOCH_MS = Date.parse('2022-02-03T14:27:27.499Z');

  it.each(['answeredTime', 'abandonedTime', 'ringDuration', 'waitTimeMS', 'talkTimeMS', 'callTime'])(
    'keeps %s carrying epoch milliseconds in its column',
    (field) => {
      const { row, typeMismatches } = normalizeRow('call-records', { ...base, [field]: EPOCH_MS }, lineage);
      expect(row[snakeCase(field)]).toBe(EPOCH_MS);
      expect(typeMismatches).toEqual([]);
      expect(row.extra).toBeNull();
    },
  );
});

describe('normalizeRow on integers beyond 2^53 (parsed exactly)', () => {
  // The API's text with fields appended: a repeated key keeps its place and takes the last value, as in JSON.parse.
  const text = JSON.stringify(specExample('call-records').data[0]);
  const rowOf = (fields: string) => parseExactJson(`${text.slice(0, -1)},${fields}}`);

  it('writes an undocumented one into extra exactly as the API wrote it', () => {
    const { row, driftFields } = normalizeRow(
      'call-records',
      rowOf('"newCounter":12345678901234567891'),
      lineage,
    );
    expect(driftFields).toEqual(['newCounter']);
    expect(row.extra).toBe('{"newCounter":12345678901234567891}');
  });

  it('keeps a documented numeric one exactly in extra, as a type mismatch', () => {
    const { row, typeMismatches } = normalizeRow(
      'call-records',
      rowOf('"answeredTime":-98765432109876543210,"nested":{"n":[9007199254740993]}'),
      lineage,
    );
    expect(typeMismatches).toEqual(['answeredTime']);
    expect(row.answered_time).toBeNull();
    expect(row.extra).toBe('{"answeredTime":-98765432109876543210,"nested":{"n":[9007199254740993]}}');
  });

  it('keeps an id sent as such a number as its exact decimal text', () => {
    const { row, typeMismatches } = normalizeRow(
      'call-records',
      rowOf('"callId":12345678901234567891'),
      lineage,
    );
    expect(row.call_id).toBe('12345678901234567891');
    expect(typeMismatches).toEqual([]);
  });
});

describe('normalizeRow on text cut inside a surrogate pair', () => {
  const row = {
    callId: '1635571048351',
    legId: '1',
    disconnectedTimeUTC: 1643898447499,
    callerName: 'Zoë \ud83d',
    calleeName: 'Bob 😀',
    departments: ['Sales\udc00', 'Support'],
  };

  it('keeps the text with U+FFFD in place of the lone half, the value as sent in extra, and counts it', () => {
    const normalized = normalizeRow('call-legs', row, lineage);
    expect(normalized.row.caller_name).toBe('Zoë \ufffd');
    expect(normalized.row.callee_name).toBe('Bob 😀');
    expect(normalized.row.departments).toEqual(['Sales\ufffd', 'Support']);
    expect(normalized.typeMismatches).toEqual(['callerName', 'departments']);
    expect(JSON.parse(String(normalized.row.extra))).toEqual({
      callerName: 'Zoë \ud83d',
      departments: ['Sales\udc00', 'Support'],
    });
    // The line is well-formed text: no \ud83d escape that a reader would refuse.
    expect(JSON.stringify({ ...normalized.row, extra: null })).not.toMatch(/\\ud[89a-f]/);
  });
});
