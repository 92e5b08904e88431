import { parseArgs } from 'node:util';
import { startSimulator } from './index.js';

/**
 * Runs the simulator on its own for manual use: `node dist/functions/simulator/main.js --port 8088 [--seed 1]
 * [--calls-per-hour 40]`. Prints the base URL and the credentials it accepts; stops on Ctrl-C.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8088' },
      seed: { type: 'string', default: '1' },
      'calls-per-hour': { type: 'string', default: '40' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write('usage: main.js [--port 8088] [--seed 1] [--calls-per-hour 40]\n');
    return;
  }
  const port = Number(values.port);
  const seed = Number(values.seed);
  const callsPerHour = Number(values['calls-per-hour']);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new Error(`--port must be 0..65535, got ${values.port}`);
  if (!Number.isFinite(seed) || !Number.isFinite(callsPerHour))
    throw new Error('--seed and --calls-per-hour take numbers');
  const sim = await startSimulator({ port, seed, callsPerHour });
  process.stdout.write(
    [
      `8x8 Work Analytics simulator listening on ${sim.baseUrl}`,
      `  8x8-apikey: ${sim.apiKey}`,
      `  username:   ${sim.username}`,
      `  password:   ${sim.password}`,
      `  try: curl -s -X POST -H '8x8-apikey: ${sim.apiKey}' -d 'username=${sim.username}&password=${sim.password}' ${sim.baseUrl}/v1/oauth/token`,
      '',
    ].join('\n'),
  );
  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`simulator: ${(error as Error).message}\n`);
  process.exit(1);
});
