import { afterEach, describe, expect, it } from 'vitest';
import { INSTANTS } from '../support/clock.js';
import { expectedRows } from '../support/lake-truth.js';
import { Pipeline } from '../support/pipeline.js';

const range = INSTANTS.busyHours(2);
const iso = (ms: number) => new Date(ms).toISOString();

let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
});

describe('reliability: window integrity on AWS (moto)', () => {
  it('replaces only the PBX a scoped rerun names, and refuses an unknown PBX without queuing', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'scope-key-2020', callsPerHour: 6 } });
    pipeline = p;
    await p.rerun('all', range.fromMs, range.toMs);
    await p.drainPages();
    const scoped = { v: 1, kind: 'rerun', table: 'call-legs', from: iso(range.fromMs), to: iso(range.toMs) };
    await p.sendControl({ ...scoped, pbx: ['acmecorp'] });
    await p.drainControl();
    await p.drainPages();
    expect(await p.lakeRows('call-legs')).toEqual(expectedRows(p.sim, { table: 'call-legs', ...range }));
    const pbxes = await p.lakeQuery('SELECT DISTINCT pbx_id FROM call_legs ORDER BY 1');
    expect(pbxes.map((r) => r.pbx_id)).toEqual(['acme-eu', 'acmecorp', 'acmecorp2']);
    const attempts = (await p.ledger('call-legs')).map((e) => e.attempt);
    expect(attempts).toEqual([2, 2]);

    const chainsBefore = p.metric('ChainsStarted');
    await p.sendControl({ ...scoped, pbx: ['acmecorpp'] });
    await p.drainControl();
    expect(p.metric('ChainsStarted')).toBe(chainsBefore);
    expect(p.metric('MessagesRejected')).toBe(1);
    expect(p.output.join('')).toMatch(/control message refused: .*acmecorpp/);
    expect(await p.pageDepth()).toBe(0);
    expect(await p.lakeRows('call-legs')).toEqual(expectedRows(p.sim, { table: 'call-legs', ...range }));
  });

  it('quarantines rows that contradict the filter field, says mismatch, and counts them in a metric', async () => {
    const p = await Pipeline.start({
      sim: { apiKey: 'filter-key-3030', callsPerHour: 6, recordsFilterField: 'startTimeUTC' },
    });
    pipeline = p;
    await p.rerun('call-records', range.fromMs, range.toMs);
    await p.drainPages();
    const entries = await p.ledger('call-records');
    expect(entries.map((e) => (e.status === 'published' ? e.reconciliation.verdict : e.status))).toEqual([
      'mismatch',
      'mismatch',
    ]);
    const quarantined = entries.reduce(
      (sum, e) => sum + (e.status === 'published' ? e.reconciliation.quarantined : 0),
      0,
    );
    expect(quarantined).toBeGreaterThan(0);
    expect(p.metric('RowsQuarantined')).toBe(quarantined);
    expect(p.metric('ReconciliationMismatches')).toBe(2);
  });

  it('is exact once the stack is told that call records filter on start time', async () => {
    const p = await Pipeline.start({
      sim: { apiKey: 'filter-key-4040', callsPerHour: 6, recordsFilterField: 'startTimeUTC' },
      env: { RECORDS_FILTER_FIELD: 'startTimeUTC' },
    });
    pipeline = p;
    await p.rerun('call-records', range.fromMs, range.toMs);
    await p.drainPages();
    const entries = await p.ledger('call-records');
    expect(entries.map((e) => (e.status === 'published' ? e.reconciliation.verdict : e.status))).toEqual([
      'match',
      'match',
    ]);
    expect(p.metric('RowsQuarantined')).toBe(0);
    expect(await p.lakeRows('call-records')).toEqual(
      expectedRows(p.sim, { table: 'call-records', ...range }),
    );
  });

  it('starts nothing twice when the same control message arrives twice (a duplicate, a retry after a timeout)', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'twice-key-5050', callsPerHour: 3 } });
    pipeline = p;
    const message = { v: 1, kind: 'rerun', table: 'all', from: iso(range.fromMs), to: iso(range.toMs) };
    await p.sendControl(message, 'backfill.all.20260610T130000Z-20260610T150000Z');
    await p.sendControl(message, 'backfill.all.20260610T130000Z-20260610T150000Z');
    await p.drainControl();
    expect(p.metric('ChainsStarted')).toBe(4);
    expect(p.output.join('')).toMatch(/control message already handled/);
    await p.drainPages();
    for (const table of ['call-legs', 'call-records'] as const) {
      expect((await p.ledger(table)).map((e) => [e.status, e.attempt])).toEqual([
        ['published', 1],
        ['published', 1],
      ]);
    }
  });
});
