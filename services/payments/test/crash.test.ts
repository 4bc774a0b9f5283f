import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { authV1, paymentsV1, streams } from '@fintech/contracts';
import { connectNats, createServiceClient } from '@fintech/kit';
import type { Sandbox } from '@fintech/sandbox';
import {
  dropTestSchema,
  eventually,
  readEvents,
  startTestFleet,
  testNatsUrl,
  uniqueSchema,
  type TestFleet,
} from '@fintech/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { paymentsEnv, STRIPE_KEY, type AuthClient, type PaymentsClient } from './helpers';

const MAIN = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

let fleet: TestFleet;
let authClient: AuthClient;
let sandbox: Sandbox;
let proxy: { url: string; hold: boolean; close(): Promise<void> };
const children: ChildProcess[] = [];
const schema = uniqueSchema('payments');

/**
 * A pass-through in front of the Stripe sandbox that can hold the answers of POST /v1/payment_intents: the provider
 * has processed the payment, the service has not heard back yet. That is the moment the test kills the service.
 */
async function startHoldingProxy(target: string) {
  const state = { hold: false };
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const headers = Object.fromEntries(
        Object.entries(request.headers).filter(([k]) => !['host', 'connection', 'content-length'].includes(k)),
      ) as Record<string, string>;
      const holdThis = state.hold && request.method === 'POST' && request.url === '/v1/payment_intents';
      fetch(`${target}${request.url}`, {
        method: request.method,
        headers,
        body: request.method === 'GET' ? undefined : Buffer.concat(chunks),
      }).then(
        async (upstream) => {
          const body = Buffer.from(await upstream.arrayBuffer());
          if (holdThis) return; // never answered: the caller dies waiting
          response.writeHead(upstream.status, {
            'content-type': upstream.headers.get('content-type') ?? 'application/json',
          });
          response.end(body);
        },
        () => response.destroy(),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get hold() {
      return state.hold;
    },
    set hold(value: boolean) {
      state.hold = value;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Runs the payments service as its own process (src/main.ts) and resolves with its gRPC port. */
function startChild(): Promise<{ child: ChildProcess; port: number }> {
  const env = paymentsEnv({
    schema,
    sandbox,
    authPort: fleet.auth.port,
    extra: { STRIPE_API_BASE: proxy.url, LOG_LEVEL: 'info', IDEMPOTENCY_LEASE_MS: '1000' },
  });
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`payments did not start:\n${output}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      for (const line of output.split('\n')) {
        if (!line.includes('payments service started')) continue;
        clearTimeout(timer);
        resolve({ child, port: (JSON.parse(line) as { port: number }).port });
        return;
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`payments exited with ${code}:\n${output}`)));
  });
}

function clientFor(port: number): PaymentsClient {
  return createServiceClient<PaymentsClient>(paymentsV1.PaymentsServiceDefinition, {
    address: `127.0.0.1:${port}`,
    deadlineMs: 15_000,
  });
}

beforeAll(async () => {
  // Auth and the sandbox in this process; the payments service runs as a child process of its own, to be killed.
  fleet = await startTestFleet({ gateway: false, sandbox: true });
  sandbox = fleet.sandbox!;
  authClient = createServiceClient<AuthClient>(authV1.AuthServiceDefinition, {
    address: `127.0.0.1:${fleet.auth.port}`,
  });
  proxy = await startHoldingProxy(sandbox.urls.stripe);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  authClient?.close();
  await proxy?.close();
  await fleet?.stop();
  await dropTestSchema(schema);
});

it('a service killed between the provider call and its reply: the retry returns the same payment, one charge, events once', async () => {
  const started = new Date();
  const email = `crash-${schema}@example.com`;
  const { id: userId } = await fleet.createUser({ email, password: 'correct horse battery staple' });
  const signIn = await authClient.authenticateUser({ username: email, password: 'correct horse battery staple' });
  const token = (await authClient.exchangeToken({ subject_token: signIn.token, subject_token_type: 'access_token' }))
    .internal_token;

  const first = await startChild();
  const firstClient = clientFor(first.port);
  const card = (await firstClient.addPaymentMethod({ user_id: 'me', payment_token: 'pm_card_visa' }, { token }))
    .method!;
  const request = {
    source_id: card.method_id,
    destination_id: 'merchant_demo_coffee',
    amount: '77.70',
    currency: 'USD',
    idempotency_key: 'crash-order-1',
  };

  proxy.hold = true;
  const lost = firstClient.initiatePayment(request, { token }).then(
    () => 'answered',
    (error: { reason?: string }) => error.reason ?? 'failed',
  );
  const intents = async () => {
    const response = await fetch(`${sandbox.urls.stripe}/v1/payment_intents?limit=100`, {
      headers: { authorization: `Bearer ${STRIPE_KEY}` },
    });
    return ((await response.json()) as { data: { id: string; amount: number; status: string }[] }).data;
  };
  // The provider has charged the card; the service is still waiting for the answer when it dies.
  await eventually(async () => (await intents()).length === 1, { timeoutMs: 10_000 });
  first.child.kill('SIGKILL');
  expect(await lost).toBe('UNAVAILABLE');
  firstClient.close();
  proxy.hold = false;

  const second = await startChild();
  const secondClient = clientFor(second.port);
  const retried = await secondClient.initiatePayment(request, { token });
  expect(retried.status).toBe('succeeded');
  const charged = await intents();
  expect(charged).toHaveLength(1);
  expect(charged[0]).toMatchObject({ amount: 7770, status: 'succeeded' });
  expect(await secondClient.initiatePayment(request, { token })).toEqual(retried);
  const history = await secondClient.getPaymentHistory({ user_id: 'me' }, { token });
  expect(history.payments.map((p) => p.payment_id)).toEqual([retried.payment!.payment_id]);

  const nats = await connectNats({ servers: testNatsUrl(), name: 'payments-crash-test' });
  try {
    const events = await readEvents(nats, {
      stream: streams.payments.name,
      subject: 'fintech.payments.payment.>',
      since: started,
      // Read past the two expected events, so a duplicate would be seen.
      done: () => false,
      timeoutMs: 2_500,
    });
    const mine = events.filter((e) => e.user_id === userId);
    expect(mine.map((e) => e.type).sort()).toEqual([
      'fintech.payments.payment.created',
      'fintech.payments.payment.succeeded',
    ]);
    expect(mine.every((e) => e.data.payment_id === retried.payment!.payment_id)).toBe(true);
    expect(mine.find((e) => e.type.endsWith('succeeded'))!.data.provider_payment_id).toBe(charged[0]!.id);
  } finally {
    await nats.close();
    secondClient.close();
    second.child.kill('SIGTERM');
  }
}, 90_000);
