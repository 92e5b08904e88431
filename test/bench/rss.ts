import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Figure } from './figure.js';
import { fixed, runChild } from './measure.js';
import type { SimProcess } from './sim-process.js';

const WORKER = fileURLToPath(new URL('./rss-worker.js', import.meta.url));
const LIMIT_MB = 256;

interface CaseResult {
  rows: number;
  ms: number;
  maxRssMb: number;
}

async function runCase(name: string, args: Record<string, unknown>): Promise<CaseResult> {
  const { stdout } = await runChild(process.execPath, [WORKER, name, JSON.stringify(args)]);
  return JSON.parse(stdout) as CaseResult;
}

/**
 * Peak RSS, each case in a fresh process: a worker on one 7000-row page, and publishing a window of
 * `pages` staged pages of 7000 rows (staged by another process first, so that only publishing counts).
 */
export async function rssFigures(sim: SimProcess, window: string, pages: number): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'walake-rss-'));
  try {
    const args = { dir, window, baseUrl: sim.baseUrl, credentials: sim.credentials, pages, rows: 0 };
    const idle = await runCase('idle', args);
    // Folders of their own: a worker replays a page it already processed in the same folder.
    const page = await runCase('page', { ...args, dir: join(dir, 'page') });
    const staged = await runCase('stage', { ...args, dir: join(dir, 'publish') });
    const published = await runCase('publish', { ...args, dir: join(dir, 'publish'), rows: staged.rows });
    const floor = `peak RSS is VmHWM, see rss-worker.ts; a process that only loads the modules peaks at ${fixed(idle.maxRssMb, 0)} MB`;
    return [
      {
        name: `peak RSS, a worker on one ${page.rows}-row page`,
        value: `${fixed(page.maxRssMb, 0)} MB`,
        goal: `≤ ${LIMIT_MB} MB`,
        met: page.maxRssMb <= LIMIT_MB,
        why:
          `${floor}; the page (body text, parsed rows, lake rows, JSON lines, gzip) adds ` +
          `${fixed(page.maxRssMb - idle.maxRssMb, 0)} MB; ${fixed(page.ms, 0)} ms`,
      },
      {
        name: `peak RSS, publishing a ${published.rows}-row window (${pages} staged pages)`,
        value: `${fixed(published.maxRssMb, 0)} MB`,
        goal: `≤ ${LIMIT_MB} MB`,
        met: published.maxRssMb <= LIMIT_MB,
        why:
          `${floor}; publishing streams page by page and adds ${fixed(published.maxRssMb - idle.maxRssMb, 0)} MB ` +
          `(a page's bytes, the set of row identities); ${fixed(published.ms / 1000, 1)} s`,
      },
    ];
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
