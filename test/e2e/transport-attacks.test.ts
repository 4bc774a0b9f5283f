import { GatewayEnv, startGateway, type Gateway } from '@fintech/gateway';
import { testNatsUrl } from '@fintech/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestFleet, type TestFleet } from './fleet';

/**
 * The transport defects found by probing the running fleet, replayed as the attacks they were, against the real
 * gateway, auth service, tokens and NATS: batches that multiplied the anonymous budget, batches under revisions that
 * have none, and POSTs into another user's legacy SSE stream (also through a second gateway replica).
 */
let fleet: TestFleet;
let secondReplica: Gateway;
let alice: { id: string; email: string; password: string };
let bob: { id: string; email: string; password: string };
let aliceToken: string;
let bobToken: string;

beforeAll(async () => {
  fleet = await startTestFleet({ gatewayEnv: { ANONYMOUS_RATE_LIMIT_PER_MINUTE: '30' } });
  secondReplica = await startGateway(
    GatewayEnv.parse({
      GATEWAY_PORT: '0',
      AUTH_GRPC_ADDRESS: `127.0.0.1:${fleet.auth.port}`,
      NATS_URL: testNatsUrl(),
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    }),
  );
  alice = await fleet.createUser({ fullName: 'Alice Attacker' });
  bob = await fleet.createUser({ fullName: 'Bob Bystander' });
  const token = (id: string) => fleet.auth.deps.tokens.accessToken({ id, role: 'customer', scopes: ['profile:read'] });
  [aliceToken, bobToken] = await Promise.all([token(alice.id), token(bob.id)]);
});

afterAll(async () => {
  await secondReplica?.close();
  await fleet?.stop();
});

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers },
    body: JSON.stringify(body),
  });
}

async function rpcMessages(response: Response): Promise<Array<{ id?: unknown }>> {
  const text = await response.text();
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    const parsed = JSON.parse(text) as unknown;
    return (Array.isArray(parsed) ? parsed : [parsed]) as Array<{ id?: unknown }>;
  }
  return text
    .split('\n\n')
    .map((block) =>
      block
        .split('\n')
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice(6))
        .join('\n'),
    )
    .filter(Boolean)
    .flatMap((data) => JSON.parse(data) as Array<{ id?: unknown }>);
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });
const readProfile = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'resources/read',
  params: { uri: 'users://me/profile' },
});

describe('anonymous batches of sign-in guesses', () => {
  it('are charged per message: of two concurrent 20-guess batches, one is refused whole, ids kept', async () => {
    const guesses = (from: number) =>
      Array.from({ length: 20 }, (_, i) => ({
        jsonrpc: '2.0',
        id: from + i,
        method: 'tools/call',
        params: { name: 'authenticate_user', arguments: { username: bob.email, password: `guess ${from + i}` } },
      }));
    const batches = [guesses(1), guesses(101)];
    const responses = await Promise.all(batches.map((batch) => post(fleet.url, batch)));
    expect(responses.map((r) => r.status).sort()).toEqual([200, 429]);
    const refused = responses.findIndex((r) => r.status === 429);
    expect(Number(responses[refused]!.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await rpcMessages(responses[refused]!)).map((m) => m.id)).toEqual(batches[refused]!.map((m) => m.id));
    const answered = await rpcMessages(responses[1 - refused]!);
    expect(answered.map((m) => m.id).sort()).toEqual(batches[1 - refused]!.map((m) => m.id).sort());
  });
});

describe('batches under revisions without them', () => {
  it('refuses 100 profile reads in one POST under 2025-06-18 and later, and answers them under 2025-03-26', async () => {
    const batch = Array.from({ length: 100 }, (_, i) => readProfile(i + 1));
    for (const revision of ['2025-06-18', '2025-11-25', '2026-07-28']) {
      const refused = await post(fleet.url, batch, { ...auth(bobToken), 'mcp-protocol-version': revision });
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ id: null, error: { code: -32600 } });
    }
    const answered = await post(fleet.url, batch.slice(0, 3), {
      ...auth(bobToken),
      'mcp-protocol-version': '2025-03-26',
    });
    expect(answered.status).toBe(200);
    expect(await rpcMessages(answered)).toHaveLength(3);
  });
});

describe('a legacy SSE stream opened by one user', () => {
  for (const [entry, replica] of [
    ['the replica that holds it', () => fleet.origin],
    ['another replica (relayed over NATS)', () => new URL(secondReplica.url).origin],
  ] as const) {
    it(`refuses another user's POST arriving at ${entry}, and delivers none of it`, async () => {
      const clientId = `agent-${crypto.randomUUID()}`;
      const stream = await fetch(`${fleet.origin}/mcp/sse/${clientId}`, {
        headers: { accept: 'text/event-stream', ...auth(bobToken) },
      });
      expect(stream.status).toBe(200);
      const received: string[] = [];
      const reader = stream.body!.getReader();
      const decoder = new TextDecoder();
      const pump = (async () => {
        for (;;) {
          const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
          if (chunk.done) return;
          received.push(decoder.decode(chunk.value, { stream: true }));
        }
      })();
      const messages = `${replica()}/mcp/messages/${clientId}`;
      const init = {
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: { protocolVersion: '2024-11-05', capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
      };
      await expect.poll(() => received.join('').includes('event: endpoint')).toBe(true);
      expect((await post(messages, init, auth(bobToken))).status).toBe(202);

      const attack = await post(messages, readProfile(2), auth(aliceToken));
      expect(attack.status).toBe(403);
      expect(await attack.json()).toMatchObject({ id: 2, error: { code: -32000 } });

      // Bob's own read is answered after anything Alice's would have produced.
      expect((await post(messages, readProfile(3), auth(bobToken))).status).toBe(202);
      await expect.poll(() => received.join('').includes('"id":3')).toBe(true);
      const everything = received.join('');
      expect(everything).toContain(bob.email);
      expect(everything).not.toContain(alice.email);
      expect(everything).not.toContain('"id":2');
      await reader.cancel();
      await pump;
    });
  }
});
