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

/**
 * The stack's resources, on a fresh moto account: the data bucket, the FIFO page queue and the control queue
 * with their DLQs (maxReceiveCount 5, a short visibility timeout so redeliveries come quickly), and the secret.
 * Also points the handlers' SDK clients at moto through the environment.
 */
export async function createAwsEnv(credentials: {
  apiKey: string;
  username: string;
  password: string;
}): Promise<AwsEnv> {
  await resetMoto();
  const config = motoClientConfig();
  const s3 = new S3Client(config);
  const sqs = new SQSClient(config);
  const bucket = 'walake-data';
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  const pageDlq = await queue(sqs, 'walake-pages-dlq.fifo', { FifoQueue: 'true' });
  const pageQueue = await queue(sqs, 'walake-pages.fifo', {
    FifoQueue: 'true',
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: pageDlq.arn, maxReceiveCount: 5 }),
  });
  const controlDlq = await queue(sqs, 'walake-control-dlq', {});
  const controlQueue = await queue(sqs, 'walake-control', {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: controlDlq.arn, maxReceiveCount: 5 }),
  });
  const secrets = new SecretsManagerClient(config);
  const { ARN = '' } = await secrets.send(
    new CreateSecretCommand({ Name: 'walake/8x8', SecretString: JSON.stringify(credentials) }),
  );
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: motoEndpoint(),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_LOG_LEVEL: 'WARN',
    DATA_BUCKET: bucket,
    PAGE_QUEUE_URL: pageQueue.url,
    SECRET_ID: ARN,
  });
  return { s3, sqs, bucket, pageQueue, pageDlq, controlQueue, controlDlq, secretArn: ARN };
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
