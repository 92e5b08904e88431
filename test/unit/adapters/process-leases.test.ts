import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { processLeaseHolders } from '../../../functions/adapters/process-leases.js';

describe('processLeaseHolders', () => {
  it('names this process, alive; a killed process on this machine is dead; another machine cannot be told', async () => {
    const holders = processLeaseHolders(process.pid, 'box');
    expect(holders.self).toBe(`box:${process.pid}`);
    expect(holders.isAlive(holders.self)).toBe(true);
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    expect(holders.isAlive(`box:${pid}`)).toBe(true);
    child.kill('SIGKILL');
    await once(child, 'exit');
    expect(holders.isAlive(`box:${pid}`)).toBe(false);
    expect(holders.isAlive(`other-box:${pid}`)).toBeUndefined();
    expect(holders.isAlive('no pid')).toBeUndefined();
  });
});
