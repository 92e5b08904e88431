import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The architecture the folders show (../shared/STYLE.md), checked on every import of the product's code. */
const ROOT = join(import.meta.dirname, '..', '..');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import of a file, as a path from the repository's root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g)].map((m) =>
    relative(ROOT, resolve(file, '..', m[1] ?? '')),
  );
}

describe('the layout the folders show', () => {
  it('keeps the product (functions/, infra/) free of imports from test/', () => {
    const offenders = [...sources(join(ROOT, 'functions')), ...sources(join(ROOT, 'infra'))].flatMap((file) =>
      importsOf(file)
        .filter((target) => target.startsWith('test/'))
        .map((target) => `${relative(ROOT, file)} -> ${target}`),
    );
    expect(offenders).toEqual([]);
  });

  it('keeps core free of adapters, handlers, the CLI and the SDKs', () => {
    const offenders = sources(join(ROOT, 'functions', 'core')).flatMap((file) => {
      const text = readFileSync(file, 'utf8');
      const bad = importsOf(file).filter((t) => !t.startsWith('functions/core/'));
      if (/from '@aws-sdk\//.test(text) || /process\.env/.test(text)) bad.push('an SDK or process.env');
      return bad.map((target) => `${relative(ROOT, file)} -> ${target}`);
    });
    expect(offenders).toEqual([]);
  });
});
