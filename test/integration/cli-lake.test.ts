import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryCommand } from '../../functions/cli/query.js';
import { statusCommand } from '../../functions/cli/status.js';
import { TABLES } from '../../functions/core/tables.js';
import { type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { runAgainst } from '../support/local-lake.js';
import { captureIo, walake } from './cli-support.js';

const FROM = Date.parse('2026-11-20T00:00:00Z');
const TO = Date.parse('2026-11-20T03:00:00Z');
const NOW = Date.parse('2026-11-28T12:00:00Z');

let sim: Simulator;
let out: string;

beforeAll(async () => {
  sim = await startSimulator({ callsPerHour: 10, now: () => NOW });
  out = mkdtempSync(join(tmpdir(), 'walake-cli-lake-'));
  const summary = await runAgainst(sim, out, { fromMs: FROM, toMs: TO });
  expect(summary.published).toBe(6);
});
afterAll(async () => {
  await sim?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

const truthCount = (table: (typeof TABLES)[number]) => sim.truth({ table, fromMs: FROM, toMs: TO }).length;

describe('walake status on a local lake', () => {
  const range = ['--from', '2026-11-20T00:00:00Z', '--to', '2026-11-20T05:00:00Z'];

  it('counts the published windows and rows per day and table, and lists the gap', async () => {
    const cli = captureIo({ now: () => NOW });
    expect(await statusCommand(['--out', out, ...range, '--json'], cli.io)).toBe(0);
    const status = JSON.parse(cli.out());
    expect(status.days).toEqual(
      TABLES.map((table) => ({
        table,
        day: '2026-11-20',
        expected: 5,
        published: 3,
        settled: 3,
        running: 0,
        failed: 0,
        missing: 2,
        rows: truthCount(table),
        mismatches: 0,
      })),
    );
    expect(status.gaps.map((g: { from: string; to: string }) => `${g.from} ${g.to}`)).toEqual([
      '2026-11-20T03:00:00Z 2026-11-20T05:00:00Z',
      '2026-11-20T03:00:00Z 2026-11-20T05:00:00Z',
    ]);
    for (const table of TABLES) expect(Date.parse(status.lastPublished[table])).toBeGreaterThan(FROM);
  });

  it("reads the lake's grid from its manifest, and fills its gaps with walake run into the same folder", async () => {
    const quarter = mkdtempSync(join(tmpdir(), 'walake-cli-quarter-'));
    try {
      const run = await runAgainst(sim, quarter, { fromMs: FROM, toMs: FROM + 3_600_000, gridMinutes: 15 });
      expect(run.published).toBe(8);
      const cli = captureIo({ now: () => NOW });
      const to = '2026-11-20T01:30:00Z';
      expect(
        await statusCommand(['--out', quarter, '--from', '2026-11-20T00:00:00Z', '--to', to], cli.io),
      ).toBe(0);
      expect(cli.out()).toContain('15-minute grid');
      expect(cli.out()).toMatch(/total: 8 of 12 windows published/);
      expect(cli.out()).toContain(
        `walake run --table call-legs --from 2026-11-20T01:00:00Z --to 2026-11-20T01:30:00Z --out ${quarter}`,
      );
      expect(cli.out()).not.toContain('walake rerun');
    } finally {
      rmSync(quarter, { recursive: true, force: true });
    }
  });

  it('reads --to as now and --table as all by default, and says when every window is published', async () => {
    const cli = captureIo({ now: () => TO });
    expect(await statusCommand(['--out', out, '--from', '2026-11-20T00:00:00Z'], cli.io)).toBe(0);
    expect(cli.out()).toMatch(
      /total: 6 of 6 windows published \(6 settled\), 0 running, 0 failed, 0 missing/,
    );
    expect(cli.out()).toContain('every window that has ended is published');
  });

  it('looks at the last 7 days by default', async () => {
    const cli = captureIo({ now: () => Date.parse('2026-11-21T00:00:00Z') });
    expect(await statusCommand(['--out', out, '--json'], cli.io)).toBe(0);
    const { from, to, totals } = JSON.parse(cli.out());
    expect([from, to]).toEqual(['2026-11-14T00:00:00Z', '2026-11-21T00:00:00Z']);
    expect(totals).toMatchObject({ expected: 2 * 7 * 24, published: 6, missing: 2 * 7 * 24 - 6 });
  });

  it('reports from the first day of the ledger with --all, every gap since', async () => {
    const cli = captureIo({ now: () => Date.parse('2026-12-01T00:00:00Z') });
    expect(await statusCommand(['--out', out, '--all', '--json'], cli.io)).toBe(0);
    const { from, totals, gaps } = JSON.parse(cli.out());
    expect(from).toBe('2026-11-20T00:00:00Z');
    expect(totals).toMatchObject({ expected: 2 * 11 * 24, published: 6, missing: 2 * 11 * 24 - 6 });
    expect(gaps.map((g: { from: string }) => g.from)).toEqual([
      '2026-11-20T03:00:00Z',
      '2026-11-20T03:00:00Z',
    ]);
    const both = captureIo({ now: () => Date.parse('2026-12-01T00:00:00Z') });
    await expect(
      statusCommand(['--out', out, '--all', '--from', '2026-11-01T00:00:00Z'], both.io),
    ).rejects.toThrow(/--all or --from, not both/);
  });

  it('runs from the built binary with exit code 0 despite gaps, and 1 without a lake', async () => {
    const ok = await walake(['status', '--out', out, ...range, '--table', 'call-records']);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/call-records\s+2026-11-20\s+5\s+3\s+3\s+0\s+0\s+2\s+\d+\s+0/);
    const none = await walake(['status', '--out', join(out, 'nothing-here')]);
    expect(none.code).toBe(1);
    expect(none.stderr).toMatch(/no lake folder at .*nothing-here/);
  });
});

describe('walake query', () => {
  it('answers SQL over the Athena table names and columns, as an aligned table', async () => {
    const cli = captureIo();
    const sql = 'SELECT dt, count(*) AS legs FROM call_legs GROUP BY dt';
    expect(await queryCommand(['--out', out, sql], cli.io)).toBe(0);
    expect(cli.out().split('\n')).toEqual([
      expect.stringMatching(/^dt\s+legs$/),
      expect.stringMatching(/^-+\s+-+$/),
      expect.stringMatching(new RegExp(`^2026-11-20\\s+${truthCount('call-legs')}$`)),
      '',
    ]);
  });

  it('prints rows as JSON with --json', async () => {
    const cli = captureIo();
    const sql = 'SELECT count(*) AS calls, min(dt) AS dt FROM call_records';
    expect(await queryCommand(['--json', '--out', out, sql], cli.io)).toBe(0);
    expect(JSON.parse(cli.out())).toEqual([{ calls: truthCount('call-records'), dt: '2026-11-20' }]);
  });

  it.each([
    [['query', '--out', 'OUT'], 2, /give the SQL as one argument/],
    [['query', '--out', 'OUT', 'SELECT', '1'], 2, /put it in quotes/],
    [['query', '--out', 'OUT', 'SELEC nonsense'], 1, /Parser Error/],
    [['query', '--out', 'OUT', 'SELECT * FROM calls'], 1, /calls/],
    [['query', '--out', 'MISSING', 'SELECT 1'], 1, /no lake folder at/],
  ])('%j exits with %i and says why', async (args, code, message) => {
    const result = await walake(args.map((a) => a.replace('OUT', out).replace('MISSING', join(out, 'none'))));
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(code);
  });

  it('answers from the built binary with exit code 0', async () => {
    const result = await walake(['query', '--out', out, 'SELECT count(*) AS n FROM call_records']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`^\\s*n\\n-+\\n\\s*${truthCount('call-records')}\\n$`));
  });
});

describe('every operator command', () => {
  it.each(['rerun', 'backfill', 'status', 'redrive', 'probe', 'query'])(
    'answers %s --help with an example and exit code 0',
    async (command) => {
      const result = await walake([command, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`Example:\\n {2}walake ${command} `));
    },
  );

  it('lists them in the main help', async () => {
    const result = await walake(['--help']);
    for (const command of ['status', 'rerun', 'backfill', 'redrive', 'probe', 'query']) {
      expect(result.stdout).toMatch(new RegExp(`\\n {2}${command} +\\S`));
    }
  });

  it.each([
    [
      ['rerun', '--table', 'all', '--from', '2026-11-20T00:00:00Z', '--to', '2026-11-21T00:00:00Z'],
      /give --queue-url URL or --stack NAME/,
    ],
    [
      ['backfill', '--dry-run', '--from', '2026-11-20T00:00:00Z', '--to', '2026-11-21T00:00:00Z'],
      /--table must be/,
    ],
    [
      ['status', '--bucket', 'b', '--out', 'o'],
      /give one of --bucket, --stack and --out, not bucket and out/,
    ],
    [['probe', '--burst', '99'], /--burst must be a whole number from 0 to 50/],
  ])('refuses %j with exit code 2', async (args, message) => {
    const result = await walake(args);
    expect(result.stderr).toMatch(message);
    expect(result.code).toBe(2);
  });
});
