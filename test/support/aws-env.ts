import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { motoClientConfig, motoEndpoint, resetMoto } from './moto.js';

export interface AwsEnv {
  s3: S3Client;
  sqs: SQSClient;
  bucket: string;
  pageQueue: { url: string; arn: string };
  pageDlq: { url: string; arn: string };
  backfillQueue: { url: string; arn: string };
  backfillDlq: { url: string; arn: string };
  controlQueue: { url: string; arn: string };
  controlDlq: { url: string; arn: string };
  secretArn: string;
}

async function queue(sqs: SQSClient, name: string, attributes: Record<string, string>) {
  const { QueueUrl = '' } = await sqs.send(
    new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
  );
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return { url: QueueUrl, arn: Attributes.QueueArn ?? '' };
}

/** How {@link createAwsEnv} names and isolates its resources. */
export interface AwsEnvOptions {
  /**
   * Prefix of every resource name (bucket, queues, secret). Default: `walake-` and 8 random hex digits, unique
   * to the call: test files run in parallel processes against one moto server, and distinct names keep them
   * from seeing (or deleting) each other's resources.
   */
  prefix?: string;
  /**
   * Clear every emulated resource first (`/moto-api/reset`). Off by default: a reset also wipes the
   * resources of any other test file running at the same moment. Only for a file that runs alone.
   */
  reset?: boolean;
}

/**
 * The stack's resources on moto: the data bucket, the FIFO page queue and the control queue with their DLQs
 * (maxReceiveCount 5, a short visibility timeout so redeliveries come quickly), and the secret, all named with
 * `options.prefix`. Also points the handlers' SDK clients at moto through the environment.
 */
export async function createAwsEnv(
  credentials: {
    apiKey: string;
    username: string;
    password: string;
  },
  options: AwsEnvOptions = {},
): Promise<AwsEnv> {
  if (options.reset) await resetMoto();
  const prefix = options.prefix ?? `walake-${randomBytes(4).toString('hex')}`;
  const config = motoClientConfig();
  const s3 = new S3Client(config);
  const sqs = new SQSClient(config);
  const bucket = `${prefix}-data`;
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const pageDlq = await queue(sqs, `${prefix}-pages-dlq.fifo`, { FifoQueue: 'true' });
  const pageQueue = await queue(sqs, `${prefix}-pages.fifo`, {
    FifoQueue: 'true',
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: pageDlq.arn, maxReceiveCount: 5 }),
  });
  const backfillDlq = await queue(sqs, `${prefix}-backfill-dlq.fifo`, { FifoQueue: 'true' });
  const backfillQueue = await queue(sqs, `${prefix}-backfill.fifo`, {
    FifoQueue: 'true',
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: backfillDlq.arn, maxReceiveCount: 5 }),
  });
  const controlDlq = await queue(sqs, `${prefix}-control-dlq`, {});
  const controlQueue = await queue(sqs, `${prefix}-control`, {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: controlDlq.arn, maxReceiveCount: 5 }),
  });
  const secrets = new SecretsManagerClient(config);
  const { ARN = '' } = await secrets.send(
    new CreateSecretCommand({ Name: `${prefix}/8x8`, SecretString: JSON.stringify(credentials) }),
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: motoEndpoint(),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    DATA_BUCKET: bucket,
    PAGE_QUEUE_URL: pageQueue.url,
    BACKFILL_QUEUE_URL: backfillQueue.url,
    SECRET_ID: ARN,
  });
  return {
    s3,
    sqs,
    bucket,
    pageQueue,
    pageDlq,
    backfillQueue,
    backfillDlq,
    controlQueue,
    controlDlq,
    secretArn: ARN,
  };
}

/** Copies every object under `prefix` to a local folder, so DuckDB can read the lake as Athena would. */
export async function downloadPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  dir: string,
): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  for (const key of keys) {
    const answer = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const target = join(dir, key);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, await (answer.Body?.transformToByteArray() ?? new Uint8Array()));
  }
  return keys;
}
