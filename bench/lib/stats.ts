/** The q-quantile (0..1) of latencies in ms, by nearest rank over a sorted copy. */
export function quantile(sorted: Float64Array | number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank]!;
}

export function sortedCopy(values: number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/** A fixed-decimals number for tables; `—` for a missing value. */
export function fmt(value: number | undefined, decimals = 2): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return value.toFixed(decimals);
}

export function fmtInt(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return '—';
  return Math.round(value).toLocaleString('en-US');
}

export function mib(bytes: number): string {
  if (!Number.isFinite(bytes)) return '—';
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

/** A GitHub-flavoured Markdown table; readable as plain text in a terminal too. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
