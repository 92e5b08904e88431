import { type CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { WalakeError } from '../core/errors.js';

/** The outputs the deployed stack publishes for the operator's commands. */
export const STACK_OUTPUT_NAMES = [
  'DataBucketName',
  'PageQueueUrl',
  'ControlQueueUrl',
  'PageDlqUrl',
  'BackfillQueueUrl',
  'BackfillDlqUrl',
  'ControlDlqUrl',
  'WorkGroupName',
  'DatabaseName',
  'SecretArn',
] as const;

/** One of {@link STACK_OUTPUT_NAMES}. */
export type StackOutputName = (typeof STACK_OUTPUT_NAMES)[number];

/** The stack is missing, unreadable or lacks an output; the message names which and what to do. */
export class StackOutputError extends WalakeError {
  override readonly name = 'StackOutputError';
  override readonly retryable = false;
}

/**
 * Reads the named outputs of a CloudFormation stack (DescribeStacks).
 * @throws StackOutputError naming the stack that does not exist or the outputs it lacks.
 */
export async function readStackOutputs<K extends StackOutputName>(
  client: CloudFormationClient,
  stackName: string,
  wanted: readonly K[],
): Promise<Record<K, string>> {
  let stack: { Outputs?: { OutputKey?: string; OutputValue?: string }[]; StackStatus?: string } | undefined;
  try {
    stack = (await client.send(new DescribeStacksCommand({ StackName: stackName }))).Stacks?.[0];
  } catch (error) {
    const err = error as Error;
    if (/does not exist/i.test(err.message)) stack = undefined;
    else {
      throw new StackOutputError(
        `could not describe the stack "${stackName}" (${err.name}: ${err.message}): check your AWS ` +
          'credentials and region, and the cloudformation:DescribeStacks permission',
      );
    }
  }
  if (!stack) {
    const region = await regionOf(client);
    throw new StackOutputError(
      `the stack "${stackName}" does not exist in ${region}: check --stack (the default stack name is ` +
        'WorkAnalyticsLake) and AWS_REGION or AWS_PROFILE',
    );
  }
  const outputs = new Map<string, string>();
  for (const o of stack.Outputs ?? [])
    if (o.OutputKey && o.OutputValue) outputs.set(o.OutputKey, o.OutputValue);
  const missing = wanted.filter((name) => !outputs.has(name));
  if (missing.length > 0) {
    const has = outputs.size > 0 ? [...outputs.keys()].sort().join(', ') : 'none';
    throw new StackOutputError(
      `the stack "${stackName}" (${stack.StackStatus ?? 'status unknown'}) has no output ` +
        `${missing.join(', ')} (it has: ${has}): deploy the current version of the stack (npx cdk deploy)`,
    );
  }
  return Object.fromEntries(wanted.map((name) => [name, outputs.get(name) ?? ''])) as Record<K, string>;
}

async function regionOf(client: CloudFormationClient): Promise<string> {
  try {
    return `region ${await client.config.region()}`;
  } catch {
    return 'the configured region';
  }
}
