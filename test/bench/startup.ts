import { join } from 'node:path';
import type { Figure } from './figure.js';
import { fixed, interleaved, median, runChild } from './measure.js';

/** `walake --help` start-up: wall time of fresh processes, against `node -e 0` as the floor. */
export async function startupFigure(root: string, repeats: number): Promise<Figure> {
  const main = join(root, 'dist', 'functions', 'cli', 'main.js');
  const runs = await interleaved(repeats, {
    help: async () => (await runChild(process.execPath, [main, '--help'])).ms,
    floor: async () => (await runChild(process.execPath, ['-e', '0'])).ms,
  });
  const help = median(runs.help);
  const floor = median(runs.floor);
  return {
    name: '`walake --help` start-up',
    value: `${fixed(help, 0)} ms`,
    goal: '≤ 300 ms',
    met: help <= 300,
    why:
      `\`node -e 0\` takes ${fixed(floor, 0)} ms on this machine, so walake's own share is ${fixed(help - floor, 0)} ms ` +
      `(median of ${repeats}); commands are imported only when called`,
  };
}
