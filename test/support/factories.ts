import type { SQSRecord } from 'aws-lambda';
import {
  chainIdOf,
  dedupId,
  firstPageTask,
  newChainId,
  type PageTask,
} from '../../functions/core/page-task.js';
import type { PlanConfig } from '../../functions/core/plan.js';
import { windowId } from '../../functions/core/windows.js';
import { INSTANTS } from './clock.js';

const HOUR = 3_600_000;

/**
 * The first page task of a new chain: call legs of the busy day's first hour, every PBX, unless told otherwise.
 * `hour` picks another hour of that day.
 */
export function pageTask(
  overrides: Partial<Pick<PageTask, 'table' | 'pbx' | 'attempt' | 'pageSize' | 'lane'>> & {
    hour?: number;
  } = {},
): PageTask {
  const { hour = 0, ...rest } = overrides;
  const startMs = INSTANTS.busyDay + hour * HOUR;
  return firstPageTask({
    table: 'call-legs',
    window: windowId({ startMs, endMs: startMs + HOUR }),
    pbx: 'allpbxes',
    attempt: 1,
    chain: newChainId(),
    pageSize: 7000,
    isConnectTime: false,
    isSimplified: false,
    ...rest,
  });
}

/** An SQS record of a page task as the Lambda event source hands it over (FIFO attributes included). */
export function sqsRecord(
  task: PageTask,
  n: number,
  options: { queueArn: string; sentAtMs: number; receiveCount?: number },
): SQSRecord {
  return {
    messageId: `m${n}`,
    receiptHandle: `r${n}`,
    body: JSON.stringify(task),
    attributes: {
      ApproximateReceiveCount: String(options.receiveCount ?? 1),
      SentTimestamp: String(options.sentAtMs),
      SenderId: 'AIDALOCAL',
      ApproximateFirstReceiveTimestamp: String(options.sentAtMs),
      MessageGroupId: chainIdOf(task),
      MessageDeduplicationId: dedupId(task),
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: options.queueArn,
    awsRegion: 'us-east-1',
  };
}

/** The planner's configuration as the stack's defaults make it (hourly grid, a day's horizon), unless told. */
export function planConfig(overrides: Partial<PlanConfig> = {}): PlanConfig {
  return {
    tables: ['call-legs', 'call-records'],
    pbx: 'allpbxes',
    gridMinutes: 60,
    pageSize: 7000,
    settleMinutes: 120,
    horizonDays: 1,
    staleAfterMinutes: 120,
    isConnectTime: false,
    isSimplified: false,
    maxChains: 2000,
    ...overrides,
  };
}
