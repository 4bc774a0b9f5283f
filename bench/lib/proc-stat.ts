import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

/** CPU time (user + system, ms) a process has used so far, read from /proc. 0 when it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15 (1-based).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / TICKS_PER_SECOND;
  } catch {
    return 0;
  }
}

/** Resident set size in bytes, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** The pids of every process whose command name is `name` (e.g. the Postgres server and its backends). */
export function pidsNamed(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // The process ended while the directory was read.
    }
  }
  return pids;
}

/** CPU ms of a group of processes (e.g. all Postgres processes), summed. */
export function groupCpuMs(pids: number[]): number {
  return pids.reduce((sum, pid) => sum + cpuMs(pid), 0);
}

/** Snapshot of CPU ms of named groups of processes, per pid; `diffCpu` gives what each group used in between. */
export type CpuSnapshot = Record<string, Map<number, number>>;

export function snapshotCpu(processes: Record<string, number[]>): CpuSnapshot {
  return Object.fromEntries(
    Object.entries(processes).map(([name, pids]) => [name, new Map(pids.map((pid) => [pid, cpuMs(pid)]))]),
  );
}

/**
 * CPU ms each group used between two snapshots. A process that ended in between (a database backend whose
 * connection closed) is left out: its last figures are gone with it, and counting it as 0 would subtract its past.
 */
export function diffCpu(before: CpuSnapshot, after: CpuSnapshot): Record<string, number> {
  return Object.fromEntries(
    Object.entries(after).map(([name, pids]) => {
      let used = 0;
      for (const [pid, ms] of pids) {
        const start = before[name]?.get(pid);
        if (start !== undefined && ms > 0) used += ms - start;
      }
      return [name, used];
    }),
  );
}

/** CPU time (ms, all cores) the whole machine has spent busy (not idle, not waiting on I/O), from /proc/stat. */
export function machineBusyMs(): number {
  const line = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]!;
  const [, user, nice, system, idle, iowait, irq, softirq, steal] = line.trim().split(/\s+/).map(Number);
  void idle;
  void iowait;
  return (
    (((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * 1000) / TICKS_PER_SECOND
  );
}
