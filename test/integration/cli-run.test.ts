import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../functions/simulator/index.js';
import { walake } from './cli-support.js';

let sim: Simulator;
let out: string;
let env: Record<string, string>;
beforeAll(async () => {
  sim = await startSimulator({
    callsPerHour: 10,
    apiKey: 'cli-key-3141',
    password: 'cli-pass-2718',
    now: () => Date.UTC(2026, 10, 28, 12),
  });
  out = mkdtempSync(join(tmpdir(), 'walake-cli-'));
  env = {
    WA_BASE_URL: sim.baseUrl,
    WA_API_KEY: sim.apiKey,
    WA_USERNAME: sim.username,
    WA_PASSWORD: sim.password,
  };
});
afterAll(async () => {
  await sim.close();
  rmSync(out, { recursive: true, force: true });
});

const range = ['--from', '2026-11-20T00:00:00Z', '--to', '2026-11-20T03:00:00Z'];

describe('walake run', () => {
  it('pulls a range into the lake and prints a summary', async () => {
    const result = await walake(['run', ...range, '--out', out, '--page-size', '100'], env);
    // Off a terminal: a line when it starts pulling and one at the end, not one per window.
    expect(result.stderr).toMatch(/^pulling 6 windows\npulled 6\/6 windows {2}\d+ pages {2}\d+ rows/);
    expect(result.stdout).toMatch(/windows: 6 published of 6/);
    expect(result.code).toBe(0);
  });

  it('prints the run summary as one JSON object with --json, progress staying on stderr', async () => {
    const result = await walake(['run', ...range, '--out', out, '--page-size', '100', '--json'], env);
    expect(result.code).toBe(0);
    const summary = JSON.parse(result.stdout);
    expect(summary).toMatchObject({
      v: 1,
      ok: true,
      exitCode: 0,
      lake: out,
      windows: 6,
      published: 6,
      failed: 0,
    });
    expect(summary.rows).toBeGreaterThan(0);
    expect(summary.mismatches).toEqual([]);
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/pulled 6\/6 windows/);
  });

  it.each([
    [['run', '--to', '2026-11-20T03:00:00Z'], /--from is required/],
    [
      ['run', '--from', '2026-11-20T00:00', '--to', '2026-11-21T00:00:00Z'],
      /--from "2026-11-20T00:00" is neither a UTC date \(2026-11-27\) nor an ISO instant with a zone/,
    ],
    [['run', '--from', '2026-11-21T00:00:00Z', '--to', '2026-11-20T00:00:00Z'], /--from must be before --to/],
    [['run', ...range, '--page-size', '7001'], /--page-size must be a whole number from 1 to 7000/],
    [['run', ...range, '--table', 'calls'], /--table must be call-legs, call-records or all/],
    [['run', ...range, '--grid-minutes', '7'], /--grid-minutes/],
    [['run', ...range, '--pbx', 'acme corp'], /--pbx "acme corp": must be a PBX name/],
    [['run', ...range, '--frobnicate'], /unknown flag --frobnicate\.\nRun `walake run --help` for usage/],
    [
      ['run', ...range, '--form', 'x'],
      /unknown flag --form\. Did you mean --from\?\nRun `walake run --help`/,
    ],
    [['status', '--jsn'], /unknown flag --jsn\. Did you mean --json\?\nRun `walake status --help`/],
    [
      ['run', ...range, '--records-filter-field', 'startTime'],
      /--records-filter-field must be disconnectedTimeUTC or startTimeUTC; got "startTime"/,
    ],
    [['run', ...range, '--max-restarts', '99'], /--max-restarts must be a whole number from 0 to 20/],
    [['runn'], /unknown command "runn"\. Did you mean "run"\?.*\nRun `walake --help` for usage/],
    [['stauts'], /unknown command "stauts"\. Did you mean "status"\?/],
  ])('refuses %j with exit code 2 and a message naming the problem', async (args, message) => {
    const result = await walake(args, env);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it('reads a date without a time as that day at 00:00 UTC', async () => {
    const day = join(out, 'by-date');
    const result = await walake(
      ['run', '--from', '2026-11-20', '--to', '2026-11-20T02:00:00Z', '--out', day],
      env,
    );
    expect(result.stdout).toMatch(/windows: 4 published of 4/);
    expect(result.code).toBe(0);
  });

  it('refuses a run without credentials, naming the variables to set', async () => {
    const result = await walake(['run', ...range, '--out', out], { WA_BASE_URL: sim.baseUrl });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/WA_API_KEY, WA_USERNAME, WA_PASSWORD not set/);
  });

  it.each([
    [{ WA_PASSWORD: 'wrong-pass-999' }, /username or password was refused/],
    [{ WA_API_KEY: 'wrong-key-999' }, /API key was refused/],
  ])('fails with exit code 1 on bad credentials %j, without echoing a secret', async (bad, message) => {
    const result = await walake(['run', ...range, '--out', out], { ...env, ...bad });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(message);
    const output = result.stdout + result.stderr;
    for (const secret of ['cli-key-3141', 'cli-pass-2718', 'wrong-pass-999', 'wrong-key-999']) {
      expect(output).not.toContain(secret);
    }
  });

  it('answers --help with an example and exit code 0', async () => {
    const result = await walake(['run', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Example:\n {2}walake run/);
  });
});

describe('walake demo (npm start)', () => {
  it('pulls the last full day from the bundled simulator, answers the questions with DuckDB and writes the report', async () => {
    const demoOut = join(out, 'demo');
    const result = await walake(['demo', '--out', demoOut]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/windows: 48 published of 48/);
    for (const title of ['Calls per hour', 'Missed and abandoned rate', 'Busiest PBX']) {
      expect(result.stdout).toContain(title);
    }
    expect(result.stdout).toMatch(/calls\s+missed_pct\s+abandoned_pct\n[- ]+\n\s*\d+\s+[\d.]+\s+[\d.]+/);
    expect(result.stdout).toContain('Busiest hours, and missed calls never called back');
    expect(result.stdout.trimEnd().endsWith(`report: ${join(demoOut, 'report.html')}`)).toBe(true);
    expect(readFileSync(join(demoOut, 'report.html'), 'utf8')).toMatch(
      /^<!DOCTYPE html>[\s\S]*<svg [\s\S]*<\/html>\n$/,
    );
  });
});
