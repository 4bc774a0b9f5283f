import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import Stripe from 'stripe';
import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  callTool,
  connectMcp,
  fleetPorts,
  SANDBOX_STRIPE_KEY,
  signInDemo,
  startFleetProcess,
  type FleetProcess,
  type ToolResult,
} from './fleet-process';

/**
 * The crash a payment system is built for, on the default path people run: `pnpm start`'s own embedded PostgreSQL,
 * its provider sandbox and its supervisor. Payments are in flight at Stripe (the sandbox holds each
 * PaymentIntent request for a while, so the kill lands mid-call: some already charged, some charged after the
 * process died, some never sent) when the payments process is killed with SIGKILL; the fleet brings it back, and the
 * agent retries every call with its idempotency key until it has an answer. Counted at the provider through the
 * Stripe SDK: every payment charged exactly once, none lost, none left pending.
 */
const PAYMENTS = 40;
let dataDir: string;
let fleet: FleetProcess;
let client: Client;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'fleet-crash-'));
  fleet = await startFleetProcess(dataDir, await fleetPorts());
  client = await connectMcp(fleet.url, await signInDemo(fleet.url));
}, 180_000);

afterAll(async () => {
  await client?.close().catch(() => undefined);
  await fleet?.stop();
  await rm(dataDir, { recursive: true, force: true });
}, 60_000);

const sandboxAdmin = () => fleet.stripeUrl.replace(/:\d+$/, `:${fleet.env.SANDBOX_ADMIN_PORT}`);

async function faultHits(): Promise<number> {
  const response = await fetch(`${sandboxAdmin()}/faults`);
  const body = (await response.json()) as { faults: { hits: number }[] };
  return body.faults.reduce((sum, fault) => sum + fault.hits, 0);
}

it(`kill -9 of payments mid-provider-call, ${PAYMENTS} payments retried with their keys: none charged twice, none stuck, none lost`, async () => {
  const added = await callTool(client, 'add_payment_method', { user_id: 'me', payment_token: 'pm_card_visa' });
  const methodId = (added.structuredContent.method as { method_id: string }).method_id;
  const request = (i: number) => ({
    source_id: methodId,
    destination_id: 'merchant_demo_coffee',
    // Distinct amounts (10.01, 10.02, …) tie each PaymentIntent at the provider to its call.
    amount: (10 + (i + 1) / 100).toFixed(2),
    currency: 'USD',
    description: `crash ${i}`,
    idempotency_key: `fleet-crash-${i}`,
  });

  // Each PaymentIntent request waits 1.5 s at the sandbox before Stripe handles it.
  const fault = await fetch(`${sandboxAdmin()}/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ provider: 'stripe', method: 'POST', path: '/v1/payment_intents', latency_ms: 1500 }),
  });
  expect(fault.status).toBe(201);

  // The agent sends a payment every 100 ms, so at any moment some are charged, some held at the provider, some not
  // sent yet.
  const firstAnswers = Array.from({ length: PAYMENTS }, (_, i) =>
    new Promise((r) => setTimeout(r, i * 100))
      .then(() => callTool(client, 'initiate_payment', request(i)))
      .then(
        (result) => result,
        (error: Error) => ({ isError: true, content: [], structuredContent: { error: { reason: error.message } } }),
      ),
  );
  // Kill once a few payments are charged at the provider and a few more are held there mid-call.
  const port = Number(new URL(fleet.stripeUrl).port);
  const stripe = new Stripe(SANDBOX_STRIPE_KEY, { host: '127.0.0.1', port, protocol: 'http', maxNetworkRetries: 0 });
  const chargedSoFar = async () => (await stripe.paymentIntents.list({ limit: 100 })).data.length;
  const deadline = Date.now() + 60_000;
  let hitsAtKill = 0;
  let chargedAtKill = 0;
  while (!(chargedAtKill >= 3 && hitsAtKill - chargedAtKill >= 3) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 20));
    chargedAtKill = await chargedSoFar();
    hitsAtKill = await faultHits();
  }
  const mark = fleet.output().length;
  process.kill(fleet.pidOf('payments'), 'SIGKILL');
  const first = (await Promise.all(firstAnswers)) as ToolResult[];
  await fetch(`${sandboxAdmin()}/faults`, { method: 'DELETE' });
  await fleet.waitForOutput(/^\[fleet\] payments restarted and ready/, 90_000, mark);

  // The agent's side: every call that got no final answer is repeated with the same key until it gets one.
  const finals = new Map<number, ToolResult>();
  first.forEach((result, i) => {
    if (!result.isError && result.structuredContent.status === 'succeeded') finals.set(i, result);
  });
  const answeredBeforeKill = finals.size;
  const retryDeadline = Date.now() + 120_000;
  let retries = 0;
  while (finals.size < PAYMENTS && Date.now() < retryDeadline) {
    for (let i = 0; i < PAYMENTS; i += 1) {
      if (finals.has(i)) continue;
      retries += 1;
      const result = await callTool(client, 'initiate_payment', request(i)).catch(() => undefined);
      if (result && !result.isError) finals.set(i, result);
    }
    if (finals.size < PAYMENTS) await new Promise((r) => setTimeout(r, 500));
  }

  // Counted at the provider, through the Stripe SDK.
  const intents: Stripe.PaymentIntent[] = [];
  for await (const intent of stripe.paymentIntents.list({ limit: 100 })) intents.push(intent);
  const succeeded = intents.filter((intent) => intent.status === 'succeeded');
  const byPayment = new Map<string, Stripe.PaymentIntent[]>();
  for (const intent of succeeded) {
    const paymentId = intent.metadata.payment_id ?? '';
    byPayment.set(paymentId, [...(byPayment.get(paymentId) ?? []), intent]);
  }
  const chargedTwice = [...byPayment.values()].filter((charges) => charges.length > 1);
  const stuck = Array.from({ length: PAYMENTS }, (_, i) => i).filter(
    (i) => finals.get(i)?.structuredContent.status !== 'succeeded',
  );
  const lost = [...finals.values()].filter((result) => {
    const payment = result.structuredContent.payment as { payment_id: string; amount: string };
    return byPayment.get(payment.payment_id)?.length !== 1;
  });
  console.log(
    `[fleet-crash] ${PAYMENTS} payments; when payments was killed the provider had received ${hitsAtKill} ` +
      `PaymentIntent requests and charged ${chargedAtKill}; ` +
      `${answeredBeforeKill} answered before the kill; ${retries} retries; ` +
      `${succeeded.length} succeeded PaymentIntents; charged twice ${chargedTwice.length}, stuck ${stuck.length}, lost ${lost.length}`,
  );

  expect(chargedAtKill).toBeGreaterThan(0);
  expect(hitsAtKill - chargedAtKill).toBeGreaterThanOrEqual(3);
  expect(answeredBeforeKill).toBeLessThan(PAYMENTS);
  expect(chargedTwice).toEqual([]);
  expect(stuck).toEqual([]);
  expect(lost).toEqual([]);
  expect(succeeded).toHaveLength(PAYMENTS);
  // Each call's amount reached the provider once: 10.01 … 10.40 USD, nothing else.
  expect(succeeded.map((intent) => intent.amount).sort((a, b) => a - b)).toEqual(
    Array.from({ length: PAYMENTS }, (_, i) => 1001 + i),
  );
  // And the service agrees: one payment per key, each succeeded, none left pending.
  for (let i = 0; i < PAYMENTS; i += 1) {
    const again = await callTool(client, 'initiate_payment', request(i));
    expect(again.structuredContent.payment).toEqual(finals.get(i)!.structuredContent.payment);
  }
}, 400_000);
