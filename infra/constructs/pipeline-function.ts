import { join } from 'node:path';
import { type Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { repoRoot } from '../paths.js';

/**
 * Defines `require` inside the ESM bundle: a few bundled CommonJS dependencies (the X-Ray SDK under the
 * Powertools tracer) call `require('node:…')`, which esbuild leaves in place.
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire } from 'module'; const require = createRequire(import.meta.url);";

export interface PipelineFunctionProps {
  /** The handler file under `functions/handlers/`, without extension. */
  readonly handler: 'planner' | 'worker' | 'governor';
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  /** Lambda's recursive loop detection; the default stops a chain after 16 hops. */
  readonly recursiveLoop?: lambda.RecursiveLoop;
  /**
   * The log group's name. Named rather than generated, so that the runbook's `aws logs tail <name>` works as
   * written: a function with a log group of its own does not log to `/aws/lambda/<function name>`.
   */
  readonly logGroupName: string;
  /** Reserved concurrency: this many executions are kept for the function, and it never runs more. */
  readonly reservedConcurrentExecutions?: number;
}

/**
 * One of the pipeline's Lambdas: Node.js 24 on arm64, the handler bundled by a local esbuild into minified
 * ESM with source maps and the AWS SDK inside (bundled SDK v3 clients start faster than the runtime's copy
 * and pin the version we test), X-Ray tracing, and a log group of its own with a retention. Its role starts
 * empty: it may write its log group, and the stack grants the rest, prefix by prefix.
 */
/** Modules of the AWS SDK's default credential chain that a Lambda never loads (see the bundling below). */
export const LAZY_CREDENTIAL_PROVIDERS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
  '@aws-sdk/nested-clients',
  '@aws-sdk/token-providers',
];

export class PipelineFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const root = repoRoot();
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: props.logGroupName,
      retention: logs.RetentionDays.THREE_MONTHS,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // An explicit role instead of the default one with the AWSLambdaBasicExecutionRole managed policy, which
    // may write any log group of the account.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.description} (role)`,
    });
    this.logGroup.grantWrite(this.role);
    this.fn = new NodejsFunction(this, 'Function', {
      description: props.description,
      entry: join(root, 'functions', 'handlers', `${props.handler}.ts`),
      handler: 'handler',
      projectRoot: root,
      depsLockFilePath: join(root, 'package-lock.json'),
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      recursiveLoop: props.recursiveLoop,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: { ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // The AWS SDK v3 is bundled with the rest, but for the credential providers its default chain loads
        // only through a dynamic import() when the environment has no credentials. A Lambda always has them in
        // its environment, so these never load there; leaving them out saves about 110 KB of bundle.
        externalModules: LAZY_CREDENTIAL_PROVIDERS,
        banner: ESM_REQUIRE_BANNER,
        logLevel: LogLevel.ERROR,
      },
    });
  }
}
