/**
 * Row shapes of `/v2/call-legs` and `/v2/call-records`, with the field order of the spec's examples. Local-time
 * fields depend on the request's timeZone, so stored rows keep them empty and `renderRow` fills them in.
 */

/** Fields the docs never list that about 1 row in 200 carries (schema drift). */
export const DRIFT_FIELDS = ['queueWaitBucket', 'aiSummaryId'] as const;

interface DriftFields {
  queueWaitBucket?: string;
  aiSummaryId?: string;
}

export interface CallLegRow extends DriftFields {
  callId: string;
  legId: string;
  startTimeUTC: number;
  startTime: string;
  connectTimeUTC: number;
  connectTime: string;
  disconnectedTimeUTC: number;
  disconnectedTime: string;
  talkTimeMS: number;
  talkTime: string;
  caller: string;
  callerName: string;
  callee: string;
  calleeName: string;
  lra: string;
  direction: string;
  parentCallId: string | null;
  transferToCallId: string | null;
  dnis: string;
  status: string;
  callerDeviceId: string | null;
  calleeDeviceId: string | null;
  callerDeviceModel: string;
  calleeDeviceModel: string;
  callerId: string;
  missed: string;
  abandoned: string;
  answered: string;
  cause: string;
  callerSvcName: string | null;
  callerSvcType: string | null;
  calleeSvcName: string | null;
  calleeSvcType: string | null;
  lraType: number;
  calleeHoldDurationMS: number;
  calleeHoldDuration: string;
  calleeDisconnectOnHold: string;
  callerDisconnectOnHold: string;
  pbxId: string;
  sipCallId: string;
  departments: string[] | null;
  branches: string[] | null;
  recordServiceOn: string;
  bargeServiceOn: string;
  masterSlaveExts: string;
  propsLastPartyDisp: string;
  accountCode: string;
  aaPath: string;
  callTime: number;
}

export interface CallRecordRow extends DriftFields {
  dnis: string;
  aaDestination: string | null;
  callId: string;
  startTimeUTC: number;
  startTime: string;
  connectTimeUTC: number;
  connectTime: string;
  disconnectedTimeUTC: number;
  disconnectedTime: string;
  talkTimeMS: number;
  talkTime: string;
  caller: string;
  callerName: string;
  callee: string;
  calleeName: string;
  lra: string;
  direction: string;
  callerId: string;
  missed: string;
  abandoned: string;
  answered: string;
  answeredTime: number;
  calleeDisconnectOnHold: string;
  callerDisconnectOnHold: string;
  pbxId: string;
  sipCallId: string;
  lastLegDisposition: string;
  callLegCount: string;
  callTime: number;
  ringDuration: number;
  abandonedTime: number;
  calleeHoldDurationMS: number;
  calleeHoldDuration: string;
  waitTimeMS: number;
  waitTime: string;
  departments: string[] | null;
  branches: string[] | null;
}

/** `HH:MM:SS` of a duration in ms, seconds truncated, as the API writes durations. */
export function hms(ms: number): string {
  const s = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
}
