import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';
import { startSandbox, type Sandbox, type SandboxOptions } from '../src/index.js';

export const API_KEY = 'sk_test_sandbox_4eC39HqLyjWDarjtT1zdp7dc';

/** A sandbox on free ports, with fast webhook retries so failure paths stay quick. */
export function startTestSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox({
    ports: { stripe: 0, plaid: 0, alpaca: 0, admin: 0 },
    webhooks: { retryDelaysMs: [20, 40], timeoutMs: 2000 },
    ...options,
  });
}

/** The official SDK pointed at the sandbox, retries off so every failure surfaces. */
export function stripeClient(sandbox: Sandbox, key = API_KEY): Stripe {
  return new Stripe(key, { host: '127.0.0.1', port: sandbox.ports.stripe, protocol: 'http', maxNetworkRetries: 0 });
}

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A local HTTP server standing in for a service's webhook route. `failFirst` answers 500 to that many requests. */
export async function startReceiver(options: { failFirst?: number } = {}) {
  const received: ReceivedWebhook[] = [];
  let failures = options.failFirst ?? 0;
  let attempts = 0;
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      attempts += 1;
      if (failures > 0) {
        failures -= 1;
        response.writeHead(500).end('not now');
        return;
      }
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks/stripe`,
    received,
    attempts: () => attempts,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
