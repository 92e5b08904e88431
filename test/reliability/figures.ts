import { mkdirSync, writeFileSync } from 'node:fs';

/**
 * Records a case's figures (rows, requests, retries, duration) in `.reliability/<case>.json`, from which
 * `npm run reliability:report` writes docs/reliability.md: the doc shows what the last run measured.
 */
export function recordFigures(name: string, figures: Record<string, number | string>): void {
  const dir = new URL('../../.reliability/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  writeFileSync(new URL(`${name}.json`, dir), `${JSON.stringify({ case: name, ...figures }, null, 2)}\n`);
}
