import { existsSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { LAZY_CREDENTIAL_PROVIDERS } from '../../infra/constructs/pipeline-function.js';
import type { Figure } from './figure.js';
import { fixed, median, runChild } from './measure.js';

const SIZE_LIMIT = 600_000;
const IMPORT_LIMIT_MS = 200;
// As infra/constructs/pipeline-function.ts (ESM_REQUIRE_BANNER, the lazy credential providers left out).
const BANNER = "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";
// What the handlers read at import time; the values only have to pass the config schema.
const LAMBDA_ENV = {
  DATA_BUCKET: 'walake-bench',
  PAGE_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/q.fifo',
  SECRET_ID: 's',
  AWS_REGION: 'us-east-1',
  BACKFILL_QUEUE_URL: 'https://sqs.us-east-1.amazonaws.com/1/b.fifo',
  LIVE_MAPPING_ID: 'l',
  BACKFILL_MAPPING_ID: 'b',
};

/** The bundle's bytes per npm package (or `functions/` for ours), largest first. */
function largestParts(metafile: Metafile, count: number): string {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
      const part = match?.[1] ?? path.split('/')[0] ?? path;
      sizes.set(part, (sizes.get(part) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, bytes]) => `${name} ${fixed(bytes / 1000, 0)} KB`)
    .join(', ');
}

async function coldImportMs(file: string, repeats: number): Promise<number[]> {
  const url = JSON.stringify(pathToFileURL(file).href);
  const code = `const t = performance.now(); await import(${url}); console.log(performance.now() - t);`;
  const env = { PATH: process.env.PATH, ...LAMBDA_ENV };
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const { stdout } = await runChild(process.execPath, ['--input-type=module', '-e', code], env);
    times.push(Number(stdout.trim().split('\n').at(-1)));
  }
  return times;
}

/**
 * Bundles a handler as the CDK stack does (NodejsFunction: esbuild, ESM, node22, minified, AWS SDK inside,
 * mainFields module,main, the createRequire banner) and times its import in fresh processes.
 */
export async function bundleFigures(
  root: string,
  handlers: readonly string[],
  repeats: number,
): Promise<Figure[]> {
  const dir = await mkdtemp(join(tmpdir(), 'walake-bundle-'));
  try {
    const figures: Figure[] = [];
    for (const name of handlers) {
      const entry = join(root, 'functions', 'handlers', `${name}.ts`);
      if (!existsSync(entry)) {
        figures.push(missing(name, `${entry} does not exist yet`));
        continue;
      }
      const outfile = join(dir, name, 'index.mjs');
      let metafile: Metafile;
      try {
        ({ metafile } = await build({
          entryPoints: [entry],
          outfile,
          absWorkingDir: root,
          bundle: true,
          platform: 'node',
          format: 'esm',
          target: 'node22',
          minify: true,
          sourcemap: true,
          sourcesContent: false,
          mainFields: ['module', 'main'],
          banner: { js: BANNER },
          external: LAZY_CREDENTIAL_PROVIDERS,
          metafile: true,
          logLevel: 'silent',
        }));
      } catch (error) {
        figures.push(missing(name, `esbuild failed: ${(error as Error).message.split('\n')[0]}`));
        continue;
      }
      const { size } = await stat(outfile);
      let times: number[];
      try {
        times = await coldImportMs(outfile, repeats);
      } catch (error) {
        const lines = (error as Error).message.split('\n').filter((l) => /Error/.test(l) && l.length < 300);
        figures.push(
          missing(name, `${fixed(size / 1000, 0)} KB, but importing it failed: ${lines[0] ?? ''}`),
        );
        continue;
      }
      const ms = median(times);
      figures.push({
        name: `${name} bundle (minified ESM, AWS SDK inside) and its cold import`,
        value: `${fixed(size / 1000, 0)} KB; import ${fixed(ms, 0)} ms`,
        goal: `≤ ${SIZE_LIMIT / 1000} KB; ≤ ${IMPORT_LIMIT_MS} ms`,
        met: size <= SIZE_LIMIT && ms <= IMPORT_LIMIT_MS,
        why: `largest parts: ${largestParts(metafile, 5)}; import median of ${repeats} fresh processes (${times
          .map((t) => fixed(t, 0))
          .join(', ')} ms)`,
      });
    }
    return figures;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function missing(name: string, why: string): Figure {
  return {
    name: `${name} bundle and its cold import`,
    value: '-',
    goal: '≤ 600 KB; ≤ 200 ms',
    met: undefined,
    why,
  };
}
