import { afterEach, describe, expect, it } from 'vitest';
import { INSTANTS } from '../support/clock.js';
import { Pipeline } from '../support/pipeline.js';

const range = INSTANTS.busyHours(1);

let pipeline: Pipeline | undefined;
afterEach(async () => {
  pipeline?.assertNoSecretPrinted();
  await pipeline?.stop();
  pipeline = undefined;
  delete process.env.RECORDS_FILTER_FIELD;
  delete process.env.IS_CONNECT_TIME;
});

describe('reliability: window integrity on AWS (moto), round 3', () => {
  it('keeps a published window that a re-pull would make worse, records the re-pull and counts a mismatch', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'keep-key-4040', callsPerHour: 6 } });
    pipeline = p;
    await p.rerun('call-records', range.fromMs, range.toMs);
    await p.drainPages();
    const before = await p.lakeRows('call-records');
    expect((await p.ledger('call-records'))[0]).toMatchObject({ reconciliation: { verdict: 'match' } });
    // A container told that call records filter on start time: rows that started before the window are
    // quarantined, and the re-pull would replace a window that reconciled with one that does not.
    process.env.RECORDS_FILTER_FIELD = 'startTimeUTC';
    const wrong = await p.newContainer();
    const mismatches = p.metric('ReconciliationMismatches');
    await wrong.rerun('call-records', range.fromMs, range.toMs);
    await wrong.drainPages();
    expect(await p.lakeRows('call-records')).toEqual(before);
    expect((await p.ledger('call-records'))[0]).toMatchObject({
      status: 'published',
      attempt: 2,
      reconciliation: { verdict: 'match' },
      rejected: { attempt: 2, reconciliation: { verdict: 'mismatch' } },
    });
    expect(p.metric('ReconciliationMismatches')).toBe(mismatches + 1);
  });

  it('fails a window whose chain would place call legs by connect time in a disconnect-time lake', async () => {
    const p = await Pipeline.start({ sim: { apiKey: 'place-key-5050', callsPerHour: 6 } });
    pipeline = p;
    await p.rerun('call-legs', range.fromMs, range.toMs);
    await p.drainPages();
    const before = await p.lakeRows('call-legs');
    process.env.IS_CONNECT_TIME = 'true';
    const other = await p.newContainer();
    await other.rerun('call-legs', range.fromMs, range.toMs);
    await other.drainPages();
    expect(await p.lakeRows('call-legs')).toEqual(before);
    const [entry] = await p.ledger('call-legs');
    expect(entry).toMatchObject({ status: 'failed' });
    expect(entry?.status === 'failed' && entry.reason).toMatch(
      /places call-legs rows in windows by disconnect time/,
    );
  });
});
