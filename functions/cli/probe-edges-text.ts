import { DEFAULT_FILTER_FIELD, type EdgeFinding, type FilterFinding } from './probe-edges.js';

/** The findings as lines a person reads. */
export function describeEdges(findings: readonly FilterFinding[]): string[] {
  const lines: string[] = [];
  for (const f of findings) {
    const where = f.range ? `, in ${f.range.from} .. ${f.range.to}` : '';
    if (f.field === null) {
      lines.push(
        `${f.table} filter field: ${f.note}${where}; keep the default ${DEFAULT_FILTER_FIELD} until measured`,
      );
      continue;
    }
    lines.push(
      f.configure === null
        ? `${f.table} filter field: ${f.field}, the default; nothing to configure (${f.note}${where})`
        : `${f.table} filter field: ${f.field}, not the default ${DEFAULT_FILTER_FIELD} (${f.note}${where}); configure ${f.configure}`,
    );
    const edge = (name: string, e: EdgeFinding, exclusiveMeans: string) =>
      e.inclusive === null
        ? `${name} ${e.note}`
        : e.inclusive
          ? `${name} inclusive to the second (${e.note})`
          : `${name} exclusive to the second (${e.note}): ${exclusiveMeans}`;
    lines.push(
      `${f.table} edges: ${edge('startTime', f.startTime, 'rows in the first second of a window are lost unless it is asked from one second earlier')}; ${edge('endTime', f.endTime, 'a request then holds exactly the half-open window, nothing to drop')}`,
    );
  }
  return lines;
}
