import { writeFile } from 'node:fs/promises';
import { cpus, loadavg, totalmem } from 'node:os';
import { type Figure, verdict } from './figure.js';

/** Where and how the figures were taken. */
export interface Setting {
  date: string;
  /** The 1-minute load average when the run started: other work on a shared machine skews timings. */
  loadAtStart: number;
  latencyMs: number;
  lines: readonly string[];
}

export function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  const memory = `${(totalmem() / 2 ** 30).toFixed(1)} GiB memory`;
  return `${cpu}, ${cpus().length} cores, ${memory}, Node ${process.version}, ${process.platform}/${process.arch}`;
}

/** The one table printed at the end of a run: plain text, columns aligned. */
export function textTable(figures: readonly Figure[]): string {
  const rows = [
    ['figure', 'measured', 'goal', 'verdict'],
    ...figures.map((f) => [f.name, f.value, f.goal, verdict(f)]),
  ];
  const widths = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) => r.map((cell, c) => cell.padEnd(widths[c] ?? 0)).join(' | ');
  const rule = widths.map((w) => '-'.repeat(w)).join('-|-');
  const [head = [], ...body] = rows;
  return [line(head), rule, ...body.map(line)].join('\n');
}

const cell = (text: string) => text.replaceAll('|', '\\|');

/** BENCHMARKS.md: the machine, the set-up, the table, a line per figure saying why, and the findings. */
export async function writeMarkdown(
  path: string,
  setting: Setting,
  figures: readonly Figure[],
  findings: string,
): Promise<void> {
  const table = [
    '| figure | measured | goal | verdict | command |',
    '|---|---|---|---|---|',
    ...figures.map(
      (f) =>
        `| ${cell(f.name)} | ${cell(f.value)} | ${cell(f.goal)} | ${verdict(f)} | ${f.command ? `\`${f.command}\`` : ''} |`,
    ),
  ];
  const why = figures.map((f) => `- **${f.name}**: ${verdict(f)}. ${f.why}.`);
  const text = [
    '# Benchmarks',
    '',
    `Written by \`npm run bench\` (\`test/bench/run.ts\`) on ${setting.date}; rerun it rather than edit this`,
    'file. Timings are medians of repeated, interleaved runs, compared as ratios within one run: the machines',
    'are shared and noisy, so no figure here is a pass/fail test.',
    '',
    `**Machine:** ${machine()}. Load average (1 min) at start ${setting.loadAtStart.toFixed(1)}, at end ` +
      `${(loadavg()[0] ?? 0).toFixed(1)}.`,
    '',
    '**Set-up:**',
    '',
    ...setting.lines.map((l) => `- ${l}`),
    '',
    ...table,
    '',
    '## Why, figure by figure',
    '',
    ...why,
    '',
    findings.trim(),
    '',
  ];
  await writeFile(path, text.join('\n'));
}
