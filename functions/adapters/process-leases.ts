import { hostname } from 'node:os';
import type { LeaseHolders } from '../core/ports.js';

/**
 * Lease holders named by machine and process id (`host:pid`). A holder on this machine whose process is gone is
 * dead; one on another machine cannot be told. A reused pid reads as alive: the lease then waits out its time,
 * which is the safe side.
 */
export function processLeaseHolders(pid: number = process.pid, host: string = hostname()): LeaseHolders {
  const self = `${host.slice(0, 180)}:${pid}`;
  return {
    self,
    isAlive(holder) {
      const at = holder.lastIndexOf(':');
      const other = Number(holder.slice(at + 1));
      if (
        at < 0 ||
        holder.slice(0, at) !== host.slice(0, 180) ||
        !Number.isSafeInteger(other) ||
        other <= 0
      ) {
        return undefined;
      }
      try {
        process.kill(other, 0);
        return true;
      } catch (error) {
        // EPERM: the process exists but belongs to someone else.
        return (error as NodeJS.ErrnoException).code !== 'ESRCH';
      }
    },
  };
}
