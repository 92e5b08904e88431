import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chainIdOf, dedupId, type PageTask } from '../core/page-task.js';
import type { TaskQueue } from '../core/ports.js';

/**
 * The page queues on SQS FIFO, one per lane (live, backfill): a chain's tasks share its id as `MessageGroupId`
 * (one page in flight per chain, chains in parallel) and carry chain id + page as `MessageDeduplicationId`, so
 * a task sent twice is queued once. A task goes to its lane's queue; without a backfill queue, to the live one.
 */
export class SqsTaskQueue implements TaskQueue {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrls: { readonly live: string; readonly backfill?: string | undefined },
  ) {}

  async send(task: PageTask): Promise<void> {
    const QueueUrl = (task.lane === 'backfill' && this.queueUrls.backfill) || this.queueUrls.live;
    await this.client.send(new SendMessageCommand({ QueueUrl, ...messageOf(task) }));
  }
}

function messageOf(task: PageTask) {
  return {
    MessageBody: JSON.stringify(task),
    MessageGroupId: chainIdOf(task),
    MessageDeduplicationId: dedupId(task),
  };
}
