import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository root: the nearest folder above this module that holds `package-lock.json`. Found from the
 * module's own location, not the working directory, so the same answer comes from `infra/` under vitest and
 * from `dist/infra/` under `cdk synth`, wherever they are started.
 */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package-lock.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package-lock.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}
