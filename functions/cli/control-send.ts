import type { SqsControlQueue } from '../adapters/control-queue.js';
import { ALL_PBXES } from '../core/page-task.js';
import { parseInteger } from './args.js';
import { sqsClient, stackOutputs } from './aws-targets.js';
import type { FlagSpecs } from './command.js';
import {
  type ControlRequest,
  DEFAULT_MAX_CHAINS,
  DEFAULT_MAX_DAYS,
  estimateRequests,
  type PlannedMessage,
} from './control-plan.js';
import { isoOf, oneOf, RANGE_FLAGS } from './ops-args.js';

/** The planner's bounds, as the stack configures them (`--max-days`, `--max-chains`). */
export function boundsOf(flags: { 'max-days'?: string; 'max-chains'?: string }) {
  return {
    maxDays: parseInteger('max-days', flags['max-days'], 1, 366) ?? DEFAULT_MAX_DAYS,
    maxChains: parseInteger('max-chains', flags['max-chains'], 1, 100_000) ?? DEFAULT_MAX_CHAINS,
  };
}

/** Checks that a target was named (before anything is computed), so a usage error comes first. */
export function controlTargetOf(flags: { 'queue-url'?: string; stack?: string; 'dry-run'?: boolean }) {
  if (flags['dry-run'] && flags['queue-url'] === undefined && flags.stack === undefined) return undefined;
  return oneOf(['queue-url', flags['queue-url']], ['stack', flags.stack]);
}

/** The control queue of `--queue-url`, or of the stack's ControlQueueUrl output. */
export async function openControlQueue(target: { flag: string; value: string }): Promise<SqsControlQueue> {
  const url =
    target.flag === 'stack'
      ? (await stackOutputs(target.value, ['ControlQueueUrl'])).ControlQueueUrl
      : target.value;
  const { SqsControlQueue } = await import('../adapters/control-queue.js');
  return new SqsControlQueue(await sqsClient(), url);
}

/** The lines that say what a request asks of the planner. */
export function describeRequest(kind: string, request: ControlRequest): string {
  const pbx =
    request.pbx === undefined
      ? "the stack's PBX scope"
      : request.pbx === ALL_PBXES
        ? 'all PBXes'
        : `PBX ${request.pbx.join(', ')}`;
  return `${kind}: ${request.table} from ${isoOf(request.fromMs)} to ${isoOf(request.toMs)}, ${pbx}\n`;
}

/** `chains` and the estimate of API requests, worded as the estimate it is. */
export function describeCost(messages: readonly PlannedMessage[], tables: number): string {
  const windows = messages.reduce((n, m) => n + m.windows.length, 0);
  const chains = messages.reduce((n, m) => n + m.chains, 0);
  return (
    `chains: ${chains} (${windows} windows × ${tables} table${tables === 1 ? '' : 's'}), each a new attempt that ` +
    'replaces its window whole\n' +
    `API requests: about ${estimateRequests(chains)} (an estimate: per chain one page of up to 7000 rows and ` +
    'the final "No Data" answer; a busy window takes one more request per 7000 rows)\n'
  );
}

/** The flags `walake rerun` and `walake backfill` share, declared once. */
export const CONTROL_FLAGS = {
  'queue-url': {
    type: 'string',
    value: 'URL',
    description: 'the control queue (the stack output ControlQueueUrl)',
  },
  stack: {
    type: 'string',
    value: 'NAME',
    description: "read the control queue from this CloudFormation stack's outputs",
  },
  table: { type: 'string', value: 'T', description: 'call-legs, call-records or all (required)' },
  ...RANGE_FLAGS,
  pbx: {
    type: 'string',
    value: 'IDS',
    description: "comma-separated PBX ids, or allpbxes (default: the stack's PBX scope)",
  },
  'grid-minutes': { type: 'string', value: 'N', description: "the stack's grid in minutes (default 60)" },
  'max-days': {
    type: 'string',
    value: 'N',
    description: "days per message: the stack's maxRerunDays (default 31)",
  },
  'max-chains': {
    type: 'string',
    value: 'N',
    description: "chains per message: the planner's chains per run (default 2000)",
  },
  'dry-run': { type: 'boolean', description: 'check and print the messages, send nothing (no queue needed)' },
} as const satisfies FlagSpecs;
