import { SendMessageBatchCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chainIdOf, dedupId, type PageTask } from '../core/page-task.js';
import type { TaskQueue } from '../core/ports.js';

/**
 * The page queue on SQS FIFO: a chain's tasks share its id as `MessageGroupId` (one page in flight per chain,
 * chains in parallel) and carry chain id + page as `MessageDeduplicationId`, so a task sent twice is queued once.
 */
export class SqsTaskQueue implements TaskQueue {
  constructor(
    private readonly client: SQSClient,
    readonly queueUrl: string,
  ) {}

  async send(task: PageTask): Promise<void> {
    await this.client.send(new SendMessageCommand({ QueueUrl: this.queueUrl, ...messageOf(task) }));
  }

  /** Sends many tasks ten at a time; a task the batch refused is named in the error. */
  async sendMany(tasks: readonly PageTask[]): Promise<void> {
    for (let i = 0; i < tasks.length; i += 10) {
      const batch = tasks.slice(i, i + 10);
      const answer = await this.client.send(
        new SendMessageBatchCommand({
          QueueUrl: this.queueUrl,
          Entries: batch.map((task, n) => ({ Id: String(n), ...messageOf(task) })),
        }),
      );
      const failed = answer.Failed ?? [];
      if (failed.length > 0) {
        const names = failed.map(
          (f) => `${dedupId(batch[Number(f.Id)] as PageTask)} (${f.Code}: ${f.Message})`,
        );
        throw new Error(`the page queue refused ${failed.length} task(s): ${names.join(', ')}`);
      }
    }
  }
}

function messageOf(task: PageTask) {
  return {
    MessageBody: JSON.stringify(task),
    MessageGroupId: chainIdOf(task),
    MessageDeduplicationId: dedupId(task),
  };
}
