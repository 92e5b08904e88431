import { createWorkAnalytics } from '../adapters/work-analytics.js';
import { TABLES } from '../core/tables.js';
import { parseFlags } from './args.js';
import { EXIT_OK } from './usage.js';

const HELP = `Usage: walake demo

Starts the bundled 8x8 simulator on 127.0.0.1 and fetches the first page of each report for the last full
UTC day, to show the client at work without credentials.
`;

export async function demoCommand(argv: string[]): Promise<number> {
  if (!parseFlags(argv, {}, HELP)) return EXIT_OK;
  const { startSimulator } = await import('../../test/simulator/index.js');
  const sim = await startSimulator();
  try {
    const { client } = createWorkAnalytics({
      baseUrl: sim.baseUrl,
      credentials: { apiKey: sim.apiKey, username: sim.username, password: sim.password },
    });
    const today = Math.floor(Date.now() / 86_400_000) * 86_400_000;
    const day = { startMs: today - 86_400_000, endMs: today };
    process.stdout.write(
      `simulator at ${sim.baseUrl}; day ${new Date(day.startMs).toISOString().slice(0, 10)}\n`,
    );
    for (const table of TABLES) {
      const page = await client.fetchPage({ table, pbx: 'allpbxes', ...day, pageSize: 100 });
      process.stdout.write(
        `${table}: ${page.totalRecordCount} rows in the day; first page ${page.data.length} rows, next scrollId ${page.scrollId}\n`,
      );
    }
  } finally {
    await sim.close();
  }
  return EXIT_OK;
}
