import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/paths.js';

/**
 * `.ci/python-tools`, which `.ci/run` calls before `npm test`, on a machine without moto and cfn-lint: a
 * stand-in python3 records what pip was asked for, and installs (or fails to install) a cfn-lint.
 */
function onBareMachine(pipWorks: boolean) {
  const dir = mkdtempSync(join(tmpdir(), 'walake-ci-tools-'));
  const bin = join(dir, 'bin');
  const userBase = join(dir, 'user');
  mkdirSync(bin);
  const log = join(dir, 'pip.log');
  writeFileSync(
    join(bin, 'python3'),
    `#!/bin/bash
case "$1 $2" in
  "-c import moto.server") exit 1 ;;
  "-m site") echo "${userBase}" ;;
  "-m pip")
    echo "$@" >> "${log}"
    ${pipWorks ? `mkdir -p "${userBase}/bin" && printf '#!/bin/sh\\n' > "${userBase}/bin/cfn-lint" && chmod +x "${userBase}/bin/cfn-lint"` : 'exit 1'} ;;
  *) exit 3 ;;
esac
`,
  );
  chmodSync(join(bin, 'python3'), 0o755);
  const run = spawnSync('bash', [join(repoRoot(), '.ci', 'python-tools')], {
    env: { PATH: `${bin}:/usr/bin:/bin` },
    encoding: 'utf8',
  });
  const pip = (() => {
    try {
      return readFileSync(log, 'utf8');
    } catch {
      return '';
    }
  })();
  return { ...run, pip };
}

describe('.ci/python-tools', () => {
  it('installs moto and cfn-lint from the project requirements where they are missing', () => {
    const result = onBareMachine(true);
    expect(result.pip.trim()).toBe(
      `-m pip install --quiet -r ${join(repoRoot(), '.ci', 'requirements.txt')}`,
    );
    expect(result.stdout).toBe('moto cfn-lint missing: installing .ci/requirements.txt with pip\n');
    expect(result.status).toBe(0);
  });

  it('says in one line how to install them when pip cannot, and fails', () => {
    const result = onBareMachine(false);
    expect(result.status).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /could not install moto cfn-lint: run `python3 -m pip install -r \.ci\/requirements\.txt`/,
    );
  });

  it('pins cfn-lint and moto in the requirements', () => {
    const text = readFileSync(join(repoRoot(), '.ci', 'requirements.txt'), 'utf8');
    expect(text).toMatch(/^cfn-lint==\d+\.\d+\.\d+$/m);
    expect(text).toMatch(/^moto\[server\]>=5,<6$/m);
  });
});
