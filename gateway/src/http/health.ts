import type { FastifyInstance } from 'fastify';

export interface HealthOptions {
  /** Whether the gateway can serve traffic now (dependencies reachable, catalog loaded). */
  ready: () => Promise<boolean>;
}

/**
 * `/healthz` answers while the process runs (liveness: restart when it stops answering); `/readyz` answers 503 until
 * `ready()` holds (readiness: take the replica out of the load balancer without restarting it).
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthOptions): void {
  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (request, reply) => {
    let ready = false;
    try {
      ready = await options.ready();
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
    }
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready' });
  });
}
