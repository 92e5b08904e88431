import { WalakeError } from './errors.js';

/**
 * The fixed UTC grid every run, rerun and backfill is cut into, so the same window always lands at the same
 * lake key whoever pulls it.
 * The row-level rules (`placeOf`, `filterTimeOf`) are in `window-rows.ts`; the API's time text in `api-time.ts`.
 */

/** A grid window `[startMs, endMs)` in epoch milliseconds (UTC). */
export interface Window {
  readonly startMs: number;
  readonly endMs: number;
}

/** The default grid: one hour. */
export const DEFAULT_GRID_MINUTES = 60;

const MINUTE_MS = 60_000;
const DAY_MINUTES = 1440;

/** A grid length, a range or a window id that cannot be used; the message says what to pass instead. */
export class InvalidWindowError extends WalakeError {
  override readonly name = 'InvalidWindowError';
  override readonly retryable = false;
}

/**
 * Checks a grid length. It must divide a day so that no window crosses UTC midnight: a window then belongs to
 * exactly one `dt=` partition.
 */
export function assertGridMinutes(gridMinutes: number): void {
  if (!Number.isInteger(gridMinutes) || gridMinutes < 1 || DAY_MINUTES % gridMinutes !== 0) {
    throw new InvalidWindowError(
      'gridMinutes must be a whole number of minutes that divides 1440 (e.g. 5, 15, 30, 60, 1440); ' +
        `got ${gridMinutes}`,
    );
  }
}

/**
 * The grid windows covering `[fromMs, toMs)`, expanded outward to whole windows (never shrunk, so a request
 * never loses its edges), in ascending order.
 * @throws InvalidWindowError when the grid is invalid, a bound is not an integer, or `fromMs >= toMs`.
 */
export function windowsFor(fromMs: number, toMs: number, gridMinutes = DEFAULT_GRID_MINUTES): Window[] {
  assertGridMinutes(gridMinutes);
  if (!Number.isSafeInteger(fromMs) || !Number.isSafeInteger(toMs) || fromMs >= toMs) {
    throw new InvalidWindowError(
      `a range needs integer epoch milliseconds with from < to; got from=${fromMs} to=${toMs}`,
    );
  }
  const step = gridMinutes * MINUTE_MS;
  const windows: Window[] = [];
  for (let start = Math.floor(fromMs / step) * step; start < toMs; start += step) {
    windows.push({ startMs: start, endMs: start + step });
  }
  return windows;
}

/** The window of a grid that holds an instant. */
export function windowAt(atMs: number, gridMinutes = DEFAULT_GRID_MINUTES): Window {
  assertGridMinutes(gridMinutes);
  const step = gridMinutes * MINUTE_MS;
  const startMs = Math.floor(atMs / step) * step;
  return { startMs, endMs: startMs + step };
}

/** The grid length of a window, in minutes. */
export function windowMinutes(window: Window): number {
  return (window.endMs - window.startMs) / MINUTE_MS;
}

/**
 * The stable id of a window: `YYYYMMDDTHHMMZ-<minutes>m`, e.g. `20261127T0100Z-60m`.
 *
 * UTC start in compact ISO 8601 (sorts lexically by time; no `:` so it is safe in S3 keys, file names and
 * SQS group ids), then the grid length. The length is part of the id because the id names the lake object:
 * were the grid ever changed, a 15-minute and a 60-minute window starting at 01:00 must not share (and
 * overwrite) one key; and it lets {@link parseWindowId} rebuild the whole window from the id alone.
 */
export function windowId(window: Window): string {
  const iso = new Date(window.startMs).toISOString(); // 2026-11-27T01:00:00.000Z
  const date = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}`;
  const stamp = `${date}T${iso.slice(11, 13)}${iso.slice(14, 16)}Z`;
  return `${stamp}-${windowMinutes(window)}m`;
}

const WINDOW_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})Z-(\d{1,4})m$/;

/**
 * The window named by a {@link windowId}.
 * @throws InvalidWindowError when the id is malformed, the length does not divide a day or the start is off
 * the grid.
 */
export function parseWindowId(id: string): Window {
  const m = WINDOW_ID.exec(id);
  if (!m)
    throw new InvalidWindowError(`window id must look like 20261127T0100Z-60m; got ${JSON.stringify(id)}`);
  const [y = 0, mo = 0, d = 0, h = 0, mi = 0, minutes = 0] = m.slice(1).map(Number);
  assertGridMinutes(minutes);
  // Date.UTC rolls 20261332 over into a real date: the round trip below refuses such ids.
  const startMs = Date.UTC(y, mo - 1, d, h, mi);
  const window = { startMs, endMs: startMs + minutes * MINUTE_MS };
  if (windowId(window) !== id || startMs % (minutes * MINUTE_MS) !== 0) {
    throw new InvalidWindowError(`window id ${id} is not a window of the ${minutes}-minute UTC grid`);
  }
  return window;
}

/** The UTC day of a window, `YYYY-MM-DD`: its `dt=` partition (a window never crosses UTC midnight). */
export function windowDay(window: Window): string {
  return new Date(window.startMs).toISOString().slice(0, 10);
}
