import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { NatsRelayConnection } from '../src/transports/index';
import { bearer, initialize, postJson, SseRecorder, startTransportGateway } from './support/transport-gateway';
import type { TransportGateway } from './support/transport-gateway';

const whoami = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'whoami', arguments: {} },
});
const readAccount = (id: number) => ({ jsonrpc: '2.0', id, method: 'resources/read', params: { uri: 'account://a1' } });

let counter = 0;
const clientId = () => `squat-${process.pid}-${++counter}`;

/** Opens a stream on `owner` (a replica) as `headers` says, and initializes it as its opener. */
async function openStream(
  owner: TransportGateway,
  path: string,
  headers: Record<string, string>,
): Promise<{ sse: SseRecorder; endpointPath: string }> {
  const response = await fetch(`${owner.url}${path}`, { headers: { accept: 'text/event-stream', ...headers } });
  expect(response.status).toBe(200);
  const sse = new SseRecorder(response);
  const endpointPath = await sse.endpoint();
  expect((await postJson(`${owner.url}${endpointPath}`, initialize(1, '2024-11-05'), headers)).status).toBe(202);
  await sse.message(1);
  return { sse, endpointPath };
}

/**
 * The stream's owner posts a call of its own after the attack: it is answered after anything the attacker's POST
 * would have produced, so once it arrives, the attacker's id not being there means it never will be.
 */
async function expectNothingOf(sse: SseRecorder, attackerId: number, ownerPost: () => Promise<Response>) {
  expect((await ownerPost()).status).toBe(202);
  await sse.message(900);
  expect(sse.messages().map((m) => m.id)).not.toContain(attackerId);
}

function attackSuite(name: string, replicas: () => { owner: TransportGateway; attackerEntry: TransportGateway }) {
  describe(name, () => {
    it('refuses user A’s POST, with A’s own valid token, into the stream user B opened under a chosen client id', async () => {
      const { owner, attackerEntry } = replicas();
      const id = clientId();
      const { sse, endpointPath } = await openStream(owner, `/mcp/sse/${id}`, bearer('bob'));

      const attack = await postJson(`${attackerEntry.url}/mcp/messages/${id}`, whoami(5), bearer('alice'));
      expect(attack.status).toBe(403);
      expect(await attack.json()).toMatchObject({ jsonrpc: '2.0', id: 5, error: { code: -32000 } });
      const readsBefore = owner.evaluations.reads;
      expect((await postJson(`${attackerEntry.url}${endpointPath}`, readAccount(6), bearer('alice'))).status).toBe(403);

      const batch = await postJson(`${attackerEntry.url}${endpointPath}`, [whoami(20), whoami(21)], bearer('alice'));
      expect(batch.status).toBe(403);
      expect(((await batch.json()) as Array<{ id: unknown }>).map((e) => e.id)).toEqual([20, 21]);

      await expectNothingOf(sse, 5, () =>
        postJson(`${attackerEntry.url}${endpointPath}`, whoami(900), bearer('bob', 'refreshed')),
      );
      // The owner's call ran as the owner, through another token of the same user; the refused read never ran.
      expect((await sse.message(900)).result?.content?.[0]?.text).toBe('bob');
      for (const id of [6, 20, 21]) expect(sse.messages().map((m) => m.id)).not.toContain(id);
      expect(owner.evaluations.reads).toBe(readsBefore);
      sse.cancel();
    });

    it('refuses an anonymous POST into a signed-in user’s stream (no answers injected into their session)', async () => {
      const { owner, attackerEntry } = replicas();
      const id = clientId();
      const { sse, endpointPath } = await openStream(owner, `/mcp/sse/${id}`, bearer('bob'));
      const injected = await postJson(`${attackerEntry.url}${endpointPath}`, {
        jsonrpc: '2.0',
        id: 7,
        method: 'ping',
      });
      expect(injected.status).toBe(403);
      await expectNothingOf(sse, 7, () => postJson(`${attackerEntry.url}${endpointPath}`, whoami(900), bearer('bob')));
      sse.cancel();
    });

    it('refuses a signed-in POST into a stream opened without a credential (a squatter reading a user’s answers)', async () => {
      const { owner, attackerEntry } = replicas();
      for (const path of [`/mcp/sse/${clientId()}`, '/mcp/sse']) {
        const { sse, endpointPath } = await openStream(owner, path, {});
        const victim = await postJson(`${attackerEntry.url}${endpointPath}`, whoami(8), bearer('alice'));
        expect(victim.status).toBe(403);
        expect(((await victim.json()) as { error: { message: string } }).error.message).toContain(
          'open a stream with your credential',
        );
        await expectNothingOf(sse, 8, () =>
          postJson(`${attackerEntry.url}${endpointPath}`, { jsonrpc: '2.0', id: 900, method: 'ping' }),
        );
        sse.cancel();
      }
    });
  });
}

describe('legacy SSE streams belong to the principal that opened them', () => {
  let single: TransportGateway;
  const kitRequire = createRequire(fileURLToPath(new URL('../../packages/kit/package.json', import.meta.url)));
  type Connection = NatsRelayConnection & { drain(): Promise<void> };
  const { connect } = kitRequire('@nats-io/transport-node') as {
    connect(options: { servers: string }): Promise<Connection>;
  };
  const connections: Connection[] = [];
  let replicaA: TransportGateway;
  let replicaB: TransportGateway;

  beforeAll(async () => {
    single = await startTransportGateway();
    const servers = process.env.NATS_URL ?? '127.0.0.1:4222';
    const [natsA, natsB] = await Promise.all([connect({ servers }), connect({ servers })]);
    connections.push(natsA, natsB);
    replicaA = await startTransportGateway({ nats: natsA, replicaId: 'a' });
    replicaB = await startTransportGateway({ nats: natsB, replicaId: 'b' });
  });

  afterAll(async () => {
    await Promise.all([single, replicaA, replicaB].map((g) => g.app.close()));
    await Promise.all(connections.map((c) => c.drain()));
  });

  attackSuite('one replica', () => ({ owner: single, attackerEntry: single }));
  // The attacker's POST lands on replica B, which relays it with the caller it resolved; replica A, which holds the
  // stream, is the one that refuses it.
  attackSuite('two replicas sharing NATS', () => ({ owner: replicaA, attackerEntry: replicaB }));

  it('keeps serving a real SSE client whose stream and POSTs carry one user’s credential, across replicas', async () => {
    const viaB: typeof fetch = (url, init) =>
      init?.method === 'POST' ? fetch(String(url).replace(replicaA.url, replicaB.url), init) : fetch(url, init);
    const client = new V1Client({ name: 'owner', version: '1.0.0' });
    await client.connect(
      new SSEClientTransport(new URL(`${replicaA.url}/mcp/sse/${clientId()}`), {
        fetch: viaB,
        requestInit: { headers: bearer('carol') },
      }),
    );
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.content).toEqual([{ type: 'text', text: 'carol' }]);
    await client.close();
  });
});
