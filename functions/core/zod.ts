import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * English error messages for `zod/mini`, the zod the Lambdas bundle: tree-shakable, about 20 KB where classic
 * zod adds about 440 KB to each bundle. Schema modules import `zod/mini` as a namespace (so esbuild keeps only
 * what they use) and this module for its side effect.
 */
config(en());

/** One issue of a refused value, as zod reports it. */
type Issue = { code: string; path: PropertyKey[]; message: string; keys?: string[] };

/**
 * The issues of a refused value as one line that names each offending field (`table: Invalid option…; unknown
 * field priority`). `onUnknown` may add a word on unknown fields (a page task says why a token is refused).
 */
export function describeIssues(
  issues: readonly Issue[],
  onUnknown: (keys: readonly string[]) => string = () => '',
): string {
  return issues
    .map((i) =>
      i.code === 'unrecognized_keys'
        ? `unknown field ${(i.keys ?? []).join(', ')}${onUnknown(i.keys ?? [])}`
        : `${i.path.map(String).join('.') || '(message)'}: ${i.message}`,
    )
    .join('; ');
}
