import type { Logger } from '@aws-lambda-powertools/logger';
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { type OutcomeTally, publishedOf, tallyOf } from '../core/outcome-tally.js';
import type { PageTask } from '../core/page-task.js';
import type { TaskOutcome } from '../core/process-task.js';
import { METRICS } from './config.js';

/** The metric of each count of an outcome: the compiler checks that every count has one. */
const METRIC_OF: Record<keyof OutcomeTally, string> = METRICS;

/** Metrics of an outcome (counted once, as `walake run` counts them) and the log lines that explain them. */
export function reportOutcome(logger: Logger, metrics: Metrics, task: PageTask, outcome: TaskOutcome): void {
  for (const [name, value] of Object.entries(tallyOf(outcome)))
    if (value > 0) metrics.addMetric(METRIC_OF[name as keyof OutcomeTally], MetricUnit.Count, value);
  const where = { table: task.table, window: task.window, page: task.page, chain: task.chain };
  if (outcome.kind === 'restarted' || outcome.kind === 'superseded') {
    logger.warn(`chain ${outcome.kind}`, { ...where, outcome });
    return;
  }
  if (outcome.kind === 'failed') {
    logger.error('window failed', { ...where, reason: outcome.reason });
    return;
  }
  if (outcome.driftFields.length > 0)
    logger.warn('fields the docs never listed, kept in "extra"', { ...where, fields: outcome.driftFields });
  if (outcome.mismatched > 0)
    logger.warn('values that did not fit their column, kept in "extra"', {
      ...where,
      rows: outcome.mismatched,
    });
  if (outcome.quarantined > 0)
    logger.error('rows outside the window on the configured filter field, quarantined', {
      ...where,
      rows: outcome.quarantined,
    });
  const published = publishedOf(outcome);
  if (published) {
    const { rows, pages, reconciliation } = published;
    logger.info('window published', { ...where, rows, pages, reconciliation });
  }
}
