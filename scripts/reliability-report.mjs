#!/usr/bin/env node
// Writes docs/reliability.md from the figures the reliability suite recorded in .reliability/ (its last run).
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';

const dir = new URL('../.reliability/', import.meta.url);
if (!existsSync(dir)) {
  console.error('no figures yet: run `npm run test:reliability` first');
  process.exit(1);
}
const figures = readdirSync(dir)
  .filter((name) => name.endsWith('.json'))
  .sort()
  .map((name) => JSON.parse(readFileSync(new URL(name, dir), 'utf8')));
const template = readFileSync(new URL('../docs/reliability.template.md', import.meta.url), 'utf8');
const rows = figures.map(({ case: name, ...rest }) => {
  const text = Object.entries(rest)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ');
  return `| ${name} | ${text} |`;
});
const machine = `${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node.js ${process.version}`;
const out = template
  .replace('{{date}}', new Date().toISOString().slice(0, 10))
  .replace('{{machine}}', machine)
  .replace('{{figures}}', ['| case | figures |', '|---|---|', ...rows].join('\n'));
writeFileSync(new URL('../docs/reliability.md', import.meta.url), out);
console.log(`docs/reliability.md written from ${figures.length} cases`);
