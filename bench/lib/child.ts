import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Messages between the bench and its child processes (over the IPC channel of `fork`). */
type ToChild = { type: 'call'; id: number; name: string; args: unknown } | { type: 'stop' };
type FromChild =
  | { type: 'ready'; info: unknown }
  | { type: 'result'; id: number; value?: unknown; error?: string }
  | { type: 'event'; name: string; data?: unknown };

export interface Child<I = unknown> {
  readonly pid: number;
  readonly info: I;
  readonly process: ChildProcess;
  /** Calls a function the child registered; rejects with the child's error message. */
  call<T = unknown>(name: string, args?: unknown): Promise<T>;
  /** Registers a listener for events the child emits while a call runs; returns its removal. */
  on(name: string, listener: (data: unknown) => void): () => void;
  /** Asks the child to clean up and exit; kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. `--cpu-prof`. */
  execArgv?: string[];
  /** How long the child may take to report ready. */
  readyTimeoutMs?: number;
}

const PROCS = new URL('../procs/', import.meta.url);

/**
 * Starts `bench/procs/<name>.ts` as its own Node process (so its CPU is its own), with the tsx loader, and waits for
 * the child's `ready` message.
 */
export async function spawnChild<I = unknown>(name: string, options: SpawnOptions = {}): Promise<Child<I>> {
  const file = fileURLToPath(new URL(`${name}.ts`, PROCS));
  const child = fork(file, [], {
    execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners = new Map<string, ((data: unknown) => void)[]>();
  let nextId = 1;
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('exit', (code, signal) => {
    exited = true;
    for (const p of pending.values()) p.reject(new Error(`${name} exited (${code ?? signal}) during a call`));
    pending.clear();
  });

  const info = await new Promise<I>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not start in time`));
    }, options.readyTimeoutMs ?? 60_000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready`));
    });
    child.on('message', (raw) => {
      const message = raw as FromChild;
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.info as I);
      } else if (message.type === 'result') {
        const p = pending.get(message.id);
        pending.delete(message.id);
        if (message.error !== undefined) p?.reject(new Error(`${name}: ${message.error}`));
        else p?.resolve(message.value);
      } else if (message.type === 'event') {
        for (const listener of listeners.get(message.name) ?? []) listener(message.data);
      }
    });
  });

  return {
    pid: child.pid!,
    info,
    process: child,
    call<T>(fn: string, args?: unknown) {
      if (exited) return Promise.reject(new Error(`${name} has exited`));
      const id = nextId++;
      return new Promise<T>((resolve, reject) => {
        pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
        child.send({ type: 'call', id, name: fn, args } satisfies ToChild);
      });
    },
    on(event, listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return () =>
        listeners.set(
          event,
          (listeners.get(event) ?? []).filter((l) => l !== listener),
        );
    },
    async stop(graceMs = 15_000) {
      if (exited) return;
      child.send({ type: 'stop' } satisfies ToChild);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exit;
      clearTimeout(timer);
    },
  };
}

type Handler = (args: never) => unknown;

/**
 * The child side: reports `info` as ready, answers calls to `handlers`, and on `stop` runs `onStop` and exits
 * (a clean exit, so `--cpu-prof` writes its profile).
 */
export function serveParent(info: unknown, handlers: Record<string, Handler>, onStop: () => Promise<void>): void {
  if (!process.send) throw new Error('this file runs as a child of the bench (bench/lib/child.ts)');
  process.on('message', (raw) => {
    const message = raw as ToChild;
    if (message.type === 'stop') {
      onStop().then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(error);
          process.exit(1);
        },
      );
      return;
    }
    const handler = handlers[message.name];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no handler ${message.name}`);
        return handler(message.args as never);
      })
      .then(
        (value) => process.send!({ type: 'result', id: message.id, value } satisfies FromChild),
        (error: unknown) =>
          process.send!({
            type: 'result',
            id: message.id,
            error: error instanceof Error ? error.message : String(error),
          } satisfies FromChild),
      );
  });
  // The parent going away (crash, Ctrl-C) takes the child with it.
  process.on('disconnect', () => process.exit(0));
  process.send({ type: 'ready', info } satisfies FromChild);
}

/** Sends an event to the parent while a call is running. */
export function emitToParent(name: string, data?: unknown): void {
  process.send?.({ type: 'event', name, data } satisfies FromChild);
}
