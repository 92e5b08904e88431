import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type LakeApp } from '../../infra/app.js';
import { repoRoot } from '../../infra/paths.js';

/**
 * Synthesizes the lake stack for the infra tests. The shared synthesis bundles the real handlers with esbuild
 * (slow: once per test file, cached here); variants that only change configuration skip bundling through the
 * CDK's own `aws:cdk:bundling-stacks` context, as `cdk deploy --exclusively` does for other stacks.
 */
export interface SynthesizedLake extends LakeApp {
  readonly template: Template;
}

/** The feature flags of cdk.json, so that tests synthesize what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(repoRoot(), 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}

/** Builds and synthesizes the app with cdk.json's context plus `context`. */
export function synthLake(
  context: Record<string, unknown> = {},
  options: { bundle?: boolean } = {},
): SynthesizedLake {
  const skipBundling = options.bundle === false ? { 'aws:cdk:bundling-stacks': [] } : {};
  const lake = buildApp({ ...cdkJsonContext(), ...skipBundling, ...context });
  return { ...lake, template: Template.fromStack(lake.stack) };
}

/** The shared context: a PBX list, a concurrency cap and an alarm e-mail away from their defaults, to see them travel. */
export const TEST_CONTEXT = {
  pbxIds: 'pbx-b,pbx-a',
  maxConcurrency: 20,
  alarmEmail: 'ops@example.com',
} as const;

let shared: SynthesizedLake | undefined;

/** The bundled synthesis shared by the tests of one file (vitest runs each file in its own process). */
export function sharedLake(): SynthesizedLake {
  shared ??= synthLake(TEST_CONTEXT);
  return shared;
}
