import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { CredentialsSecretError, readCredentialsSecret } from '../adapters/secret-credentials.js';
import {
  InvalidApiKeyError,
  InvalidCredentialsError,
  NoAnalyticsAccessError,
} from '../adapters/wa-errors.js';
import { realRetryDeps } from '../adapters/wa-retry.js';
import { createWorkAnalytics } from '../adapters/work-analytics.js';
import { XRayTracer } from '../adapters/xray-tracer.js';
import { METRICS } from './config.js';

/**
 * What every Lambda container builds once: Powertools logger and metrics, the X-Ray tracer, the AWS SDK clients, and the
 * 8x8 connection (credentials read once from Secrets Manager, the token kept in memory until it expires).
 */
/**
 * The metrics namespace and service name come from the environment the stack sets (one pair per stack, so
 * two stacks in one account keep their metrics apart); these defaults serve local runs and tests.
 */
const serviceName = process.env.POWERTOOLS_SERVICE_NAME || 'work-analytics-lake';
const namespace = process.env.POWERTOOLS_METRICS_NAMESPACE || 'WorkAnalyticsLake';

export const logger = new Logger({ serviceName });
export const metrics = new Metrics({ namespace, serviceName });
export const tracer = new XRayTracer({ serviceName });

/**
 * The container's clock. Handlers and the 8x8 connection read the time only through it, and the retry loop
 * waits through its `sleep`, so tests can fix the instant a Lambda believes it runs at and let its waits spend
 * the invocation's budget in the test's time (they replace `now` and `sleep`); durations and deadlines are
 * measured on it too.
 */
export const clock: { now: () => number; sleep: (ms: number) => Promise<void> } = {
  now: () => Date.now(),
  sleep: (ms) => realRetryDeps.sleep(ms),
};

export const s3 = tracer.traceClient(new S3Client({}));
export const sqs = tracer.traceClient(new SQSClient({}));
const secrets = tracer.traceClient(new SecretsManagerClient({}));

type Connection = ReturnType<typeof createWorkAnalytics>;
let connection: Promise<Connection> | undefined;

/** The container's 8x8 connection, built on first use from the secret. */
export function workAnalytics(secretId: string, baseUrl: string): Promise<Connection> {
  connection ??= readCredentialsSecret(secrets, secretId).then((credentials) =>
    createWorkAnalytics({
      baseUrl,
      credentials,
      fetch: tracer.traceFetch(fetch),
      deps: { now: () => clock.now(), sleep: (ms) => clock.sleep(ms), random: realRetryDeps.random },
      onRetry: (event) => {
        metrics.addMetric(METRICS.apiRetries, MetricUnit.Count, 1);
        logger.warn('8x8 request retried', {
          attempt: event.attempt,
          reason: event.reason,
          delayMs: event.delayMs,
        });
      },
    }),
  );
  connection.catch(() => {
    connection = undefined;
  });
  return connection;
}

/** Forgets the connection, so that the next invocation reads the secret again. */
export function forgetConnection(): void {
  connection = undefined;
}

/**
 * Forgets the connection after the credentials were refused, so that the next invocation reads the secret
 * again: a rotated password is picked up without a redeploy.
 */
export function forgetConnectionOn(error: unknown): boolean {
  const refused =
    error instanceof InvalidCredentialsError ||
    error instanceof InvalidApiKeyError ||
    error instanceof NoAnalyticsAccessError ||
    error instanceof CredentialsSecretError;
  if (refused) {
    connection = undefined;
    metrics.addMetric(METRICS.credentialsRejected, MetricUnit.Count, 1);
  }
  return refused;
}
