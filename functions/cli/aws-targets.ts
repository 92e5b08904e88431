import type { S3Client } from '@aws-sdk/client-s3';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { StackOutputName } from '../adapters/stack-outputs.js';

/**
 * The AWS SDK clients of the operator's commands, loaded only when a command reaches AWS (so `--help` and the
 * local commands start without the SDK). They take the usual configuration: AWS_PROFILE or AWS_ACCESS_KEY_ID,
 * AWS_REGION, and AWS_ENDPOINT_URL.
 */

export async function sqsClient(): Promise<SQSClient> {
  const { SQSClient } = await import('@aws-sdk/client-sqs');
  return new SQSClient({});
}

export async function s3Client(): Promise<S3Client> {
  const { S3Client } = await import('@aws-sdk/client-s3');
  return new S3Client({});
}

/** The named outputs of a deployed stack (`--stack NAME`); the error names a missing stack or output. */
export async function stackOutputs<K extends StackOutputName>(
  stackName: string,
  wanted: readonly K[],
): Promise<Record<K, string>> {
  const [{ CloudFormationClient }, { readStackOutputs }] = await Promise.all([
    import('@aws-sdk/client-cloudformation'),
    import('../adapters/stack-outputs.js'),
  ]);
  const client = new CloudFormationClient({});
  try {
    return await readStackOutputs(client, stackName, wanted);
  } finally {
    client.destroy();
  }
}
