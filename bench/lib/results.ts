import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';

export const RESULTS_FILE = fileURLToPath(new URL('../RESULTS.md', import.meta.url));

/** The machine the figures come from: they mean little without it. */
export function describeMachine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  const ram = (totalmem() / 1024 ** 3).toFixed(1);
  return `${model}, ${cpu.length} cores, ${ram} GiB RAM, Node ${process.version}, ${process.platform} ${process.arch}, ${new Date().toISOString()}`;
}

/** Prints a scenario's report and appends it, with the machine description, to bench/RESULTS.md. */
export function report(title: string, body: string): void {
  const section = `\n## ${title}\n\n_${describeMachine()}_\n\n${body.trim()}\n`;
  console.log(section);
  if (!existsSync(RESULTS_FILE)) {
    writeFileSync(
      RESULTS_FILE,
      '# Benchmark results\n\nAppended by `pnpm bench` (and by each `bench/*.ts` script); newest at the bottom.\n',
    );
  }
  appendFileSync(RESULTS_FILE, section);
}
