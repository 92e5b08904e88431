import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import {
  assertKnownContextKeys,
  CONTEXT_KEYS,
  commandLineOnly,
  commandLineWarning,
  type LakeConfig,
  LakeConfigError,
  parseLakeConfig,
} from './config.js';
import { repoRoot } from './paths.js';
import { createLakeStack, type LakeStack } from './stacks/lake-stack.js';

export interface LakeApp {
  readonly app: App;
  readonly stack: LakeStack;
  readonly config: LakeConfig;
}

/**
 * The CDK app: its configuration validated from context (cdk.json, `-c key=value`, or `context` here), the
 * lake stack, and the cdk-nag AWS Solutions checks, which run at synthesis and fail it on any unacknowledged
 * error. Tests call this with a context of their own.
 */
export function buildApp(
  context: Record<string, unknown> = {},
  props: Omit<AppProps, 'context'> = {},
): LakeApp {
  const app = new App({ ...props, context });
  assertKnownContextKeys(app.node.getAllContext() as Record<string, unknown>);
  const config = parseLakeConfig(
    Object.fromEntries(CONTEXT_KEYS.map((key) => [key, app.node.tryGetContext(key)])),
  );
  const stack = createLakeStack(app, config);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return { app, stack, config };
}

function isMain(): boolean {
  const entry = process.argv[1];
  return entry !== undefined && import.meta.url === pathToFileURL(realpathSync(entry)).href;
}

/** The context `cdk.json` keeps with the project (what every deploy reads, unlike `-c`). */
function keptContext(): Record<string, unknown> {
  try {
    return JSON.parse(readFileSync(join(repoRoot(), 'cdk.json'), 'utf8')).context ?? {};
  } catch {
    return {};
  }
}

if (isMain()) {
  try {
    const built = buildApp();
    const warning = commandLineWarning(
      commandLineOnly(built.app.node.getAllContext() as Record<string, unknown>, keptContext()),
    );
    if (warning) console.error(warning);
    built.app.synth();
  } catch (error) {
    if (!(error instanceof LakeConfigError)) throw error;
    // A configuration mistake is the user's to fix: say what, without a stack trace.
    console.error(error.message);
    process.exitCode = 1;
  }
}
