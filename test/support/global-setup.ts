import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import type { TestProject } from 'vitest/node';

/**
 * Starts one moto server (S3, SQS, Secrets Manager) for the whole run, on a free loopback port, and stops it
 * afterwards. Tests find it through `inject('motoEndpoint')`; where moto cannot start, `motoError` says what is
 * missing and the tests that need it fail with that message instead of a connection error.
 */
let moto: ChildProcess | undefined;

export async function setup(project: TestProject): Promise<void> {
  try {
    const port = await freePort();
    moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    moto.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-4000);
    });
    const endpoint = `http://127.0.0.1:${port}`;
    await waitForMoto(endpoint, moto, () => stderr);
    project.provide('motoEndpoint', endpoint);
    project.provide('motoError', '');
  } catch (error) {
    moto?.kill('SIGTERM');
    moto = undefined;
    project.provide('motoEndpoint', '');
    project.provide(
      'motoError',
      `moto could not start (${(error as Error).message}). Install it with: pip install 'moto[server]>=5'`,
    );
  }
}

export async function teardown(): Promise<void> {
  if (!moto || moto.exitCode !== null) return;
  const exited = new Promise((resolve) => moto?.once('exit', resolve));
  moto.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 3000))]);
  if (moto.exitCode === null) moto.kill('SIGKILL');
}

async function waitForMoto(endpoint: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = performance.now() + 30_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`python3 -m moto.server exited: ${stderr().trim()}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('moto did not answer on /moto-api/ within 30 s');
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject()));
    });
  });
}

declare module 'vitest' {
  export interface ProvidedContext {
    motoEndpoint: string;
    motoError: string;
  }
}
