/** What the figures led to: causes found, changes made, what is left. Kept by hand; written into BENCHMARKS.md. */
export const FINDINGS = `
## Findings

(to be written)
`;
