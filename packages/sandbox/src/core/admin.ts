import Fastify, { type FastifyInstance } from 'fastify';
import type { FaultInjector, FaultRule, FaultStatus, ProviderName } from './faults.js';
import type { Emulator, SandboxClock } from './types.js';

export interface AdminDependencies {
  seed: string;
  clock: SandboxClock;
  faults: FaultInjector;
  emulators: readonly Emulator[];
  urls: () => Record<string, string>;
  reset(): void;
  flushWebhooks(): Promise<void>;
}

interface ClockBody {
  at?: string | number;
  release?: boolean;
  advance_ms?: number;
}

interface FaultBody {
  provider?: ProviderName;
  method?: string;
  path?: string;
  latency_ms?: number;
  latencyMs?: number;
  status?: FaultStatus;
  body?: unknown;
  drop?: boolean | 'before' | 'after';
  times?: number;
}

const PROVIDERS: readonly ProviderName[] = ['stripe', 'plaid', 'alpaca'];

function badRequest(message: string): Error & { statusCode: number } {
  return Object.assign(new Error(message), { statusCode: 400 });
}

function faultRule(body: FaultBody | undefined): FaultRule {
  if (!body || typeof body.path !== 'string') throw badRequest('path is required');
  if (body.provider !== undefined && !PROVIDERS.includes(body.provider)) {
    throw badRequest(`provider must be one of ${PROVIDERS.join(', ')}`);
  }
  return {
    provider: body.provider,
    method: body.method,
    path: body.path,
    latencyMs: body.latency_ms ?? body.latencyMs,
    status: body.status,
    body: body.body,
    drop: body.drop,
    times: body.times,
  };
}

/**
 * The sandbox's own control API (JSON): reset, clock, faults, health, and each emulator's test helpers under
 * `/<name>/…`. Never part of any provider's wire format.
 */
export function buildAdminApp(deps: AdminDependencies): FastifyInstance {
  const app = Fastify({ logger: false, forceCloseConnections: true });
  const tickAll = () => {
    for (const emulator of deps.emulators) emulator.tick?.();
  };

  app.setErrorHandler((error: { statusCode?: number; message?: string }, _request, reply) => {
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500;
    return reply.code(status).send({ error: { message: status < 500 ? error.message : 'internal error' } });
  });

  app.get('/health', async () => ({
    status: 'ok',
    seed: deps.seed,
    now: deps.clock.now().toISOString(),
    urls: deps.urls(),
    emulators: deps.emulators.map((emulator) => emulator.name),
  }));

  app.post('/reset', async () => {
    deps.reset();
    return { ok: true, now: deps.clock.now().toISOString() };
  });

  app.get('/clock', async () => ({ now: deps.clock.now().toISOString() }));
  app.post<{ Body: ClockBody | undefined }>('/clock', async (request) => {
    const body = request.body ?? {};
    if (body.release) deps.clock.release();
    if (body.at !== undefined) {
      const at = new Date(typeof body.at === 'number' ? body.at : String(body.at));
      if (Number.isNaN(at.getTime())) throw badRequest('at must be an ISO date or epoch milliseconds');
      deps.clock.set(at);
    }
    if (body.advance_ms !== undefined) {
      if (typeof body.advance_ms !== 'number' || !Number.isFinite(body.advance_ms)) {
        throw badRequest('advance_ms must be a number');
      }
      deps.clock.advance(body.advance_ms);
    }
    if (!body.release && body.at === undefined && body.advance_ms === undefined) {
      throw badRequest('give at, advance_ms or release');
    }
    tickAll();
    return { now: deps.clock.now().toISOString() };
  });

  app.get('/faults', async () => ({ faults: deps.faults.list().map(serializeFault) }));
  app.post<{ Body: FaultBody | undefined }>('/faults', async (request, reply) => {
    let rule: FaultRule;
    try {
      rule = faultRule(request.body);
      return reply.code(201).send(serializeFault(deps.faults.add(rule)));
    } catch (error) {
      if (error instanceof RangeError) throw badRequest(error.message);
      throw error;
    }
  });
  app.delete('/faults', async () => {
    deps.faults.clear();
    return { ok: true };
  });
  app.delete<{ Params: { id: string } }>('/faults/:id', async (request, reply) => {
    if (!deps.faults.remove(request.params.id)) return reply.code(404).send({ error: { message: 'no such fault' } });
    return { ok: true };
  });

  app.post('/webhooks/flush', async () => {
    await deps.flushWebhooks();
    return { ok: true };
  });

  for (const emulator of deps.emulators) {
    if (emulator.admin) app.register(emulator.admin, { prefix: `/${emulator.name}` });
  }
  return app;
}

function serializeFault(fault: ReturnType<FaultInjector['list']>[number]) {
  return { ...fault, path: fault.path instanceof RegExp ? fault.path.source : fault.path };
}
