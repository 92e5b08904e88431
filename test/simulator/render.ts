import type { CallLegRow, CallRecordRow } from './rows.js';
import { formatLocal } from './time-zone.js';

/** A stored row with its local-time fields written in `zone`; never-connected rows keep connectTime "0". */
export function renderRow<T extends CallLegRow | CallRecordRow>(row: T, zone: string): T {
  const out = { ...row };
  out.startTime = formatLocal(row.startTimeUTC, zone);
  if (row.connectTimeUTC > 0) out.connectTime = formatLocal(row.connectTimeUTC, zone);
  out.disconnectedTime = formatLocal(row.disconnectedTimeUTC, zone);
  return out;
}
