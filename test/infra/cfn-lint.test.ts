import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { synthLake, TEST_CONTEXT } from './synth.js';

interface LintMatch {
  readonly Rule: { readonly Id: string };
  readonly Level: string;
  readonly Message: string;
  readonly Filename: string;
}

/** Warnings the CDK itself causes: W3005, a function's DependsOn on its role next to a GetAtt of it. */
const CDK_WARNINGS = new Set(['W3005']);

it('cfn-lint finds no error in the synthesized templates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'walake-cfn-lint-'));
  const files = Object.entries({
    full: TEST_CONTEXT,
    minimal: {
      secretName: 'wa/8x8',
      secretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      tables: 'call-records',
      stackName: 'WorkAnalyticsLake-dev',
    },
  }).map(([name, context]) => {
    const file = join(dir, `${name}.template.json`);
    writeFileSync(file, JSON.stringify(synthLake(context, { bundle: false }).template.toJSON(), null, 1));
    return file;
  });
  const lint = spawnSync('cfn-lint', ['--format', 'json', '--', ...files], { encoding: 'utf8' });
  if (lint.error) {
    throw new Error(
      `cfn-lint could not run (${lint.error.message}): install it with \`python3 -m pip install -r .ci/requirements.txt\` (what .ci/run does)`,
    );
  }
  expect(lint.stderr.trim(), 'cfn-lint stderr').toBe('');
  const matches = JSON.parse(lint.stdout || '[]') as LintMatch[];
  const describe = (m: LintMatch) => `${m.Level} ${m.Rule.Id} ${m.Message}`;
  // E2531 judges the runtime's deprecation against the day cfn-lint runs, so it would fail this suite on a
  // later date with the same code. The runtime is pinned (lake-stack.test.ts) and cdk-nag's L1 asks for the
  // newest one the CDK knows: that is where a runtime change shows up.
  const dated = (m: LintMatch) => m.Rule.Id === 'E2531';
  expect(matches.filter((m) => m.Level === 'Error' && !dated(m)).map(describe)).toEqual([]);
  expect(matches.filter((m) => !CDK_WARNINGS.has(m.Rule.Id) && !dated(m)).map(describe)).toEqual([]);
});
