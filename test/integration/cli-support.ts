import { spawn } from 'node:child_process';
import type { CliIo } from '../../functions/cli/command.js';

const BIN = new URL('../../dist/functions/cli/main.js', import.meta.url).pathname;

/** Runs the built `walake` binary (`npm run build` first), as a user would: exit code and output. */
export function walake(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d));
    child.stderr.on('data', (d: Buffer) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** An io for calling a command in-process: what it printed, a fixed or real clock. */
export function captureIo(options: { now?: () => number; env?: NodeJS.ProcessEnv } = {}) {
  let out = '';
  let err = '';
  const io: CliIo = {
    stdout: { write: (text: string) => (out += text) },
    stderr: { write: (text: string) => (err += text) },
    env: options.env ?? process.env,
    now: options.now ?? Date.now,
  };
  return { io, out: () => out, err: () => err };
}

/** The environment a spawned `walake` needs to reach moto (set in this process by `createAwsEnv`). */
export function awsProcessEnv(): Record<string, string> {
  const names = ['AWS_ENDPOINT_URL', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
  return Object.fromEntries(names.map((name) => [name, process.env[name] ?? '']));
}
