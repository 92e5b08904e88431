import { config } from 'zod/mini';
import en from 'zod/v4/locales/en.js';

/**
 * English error messages for `zod/mini`, the zod the Lambdas bundle: tree-shakable, about 20 KB where classic
 * zod adds about 440 KB to each bundle. Schema modules import `zod/mini` as a namespace (so esbuild keeps only
 * what they use) and this module for its side effect.
 */
config(en());
