import { Client as V1Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as V1StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterEach, describe, expect, it } from 'vitest';

import {
  bearer,
  initialize,
  messagesOf,
  PASSWORD,
  postJson,
  SseRecorder,
  startTransportGateway,
} from './support/transport-gateway';
import type { RpcMessage, TransportGateway } from './support/transport-gateway';

const gateways: TransportGateway[] = [];
afterEach(async () => {
  await Promise.all(gateways.splice(0).map((g) => g.app.close()));
});

async function gatewayWith(anonymousPerMinute: number): Promise<TransportGateway> {
  const gateway = await startTransportGateway({ anonymousPerMinute });
  gateways.push(gateway);
  return gateway;
}

const signIn = (id: number | string, password: string) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'authenticate_user', arguments: { email: 'victim@example.com', password } },
});
const readAccount = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'resources/read',
  params: { uri: `account://acc-${id}` },
});
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

describe('the anonymous rate limit counts JSON-RPC messages, not POSTs', () => {
  it('refuses the second of two concurrent 20-guess batches whole, each refusal carrying its own request id', async () => {
    const gateway = await gatewayWith(30);
    const first = range(1, 20).map((id) => signIn(id, `guess-${id}`));
    const second = range(101, 20).map((id) => signIn(`s-${id}`, `guess-${id}`));

    const responses = await Promise.all([first, second].map((batch) => postJson(`${gateway.url}/mcp`, batch)));

    const statuses = responses.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 429]);
    const refusedIndex = responses.findIndex((r) => r.status === 429);
    const refused = responses[refusedIndex]!;
    const refusedBatch = refusedIndex === 0 ? first : second;
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    const errors = await messagesOf(refused);
    expect(errors.map((e) => e.id)).toEqual(refusedBatch.map((m) => m.id));
    for (const error of errors) expect(error.error).toMatchObject({ code: -32000 });

    const answered = await messagesOf(responses[1 - refusedIndex]!);
    expect(answered).toHaveLength(20);
    // Only the admitted batch reached the password check: 20 guesses, not 40.
    expect(gateway.evaluations.signIns).toBe(20);
  });

  it('charges a batch of 30 sign-in calls 30 messages: the budget is spent and the next single call is refused', async () => {
    const gateway = await gatewayWith(30);
    const batch = await postJson(
      `${gateway.url}/mcp`,
      range(1, 30).map((id) => signIn(id, `guess-${id}`)),
    );
    expect(batch.status).toBe(200);
    expect(await messagesOf(batch)).toHaveLength(30);
    expect(gateway.evaluations.signIns).toBe(30);

    const next = await postJson(`${gateway.url}/mcp`, signIn(31, PASSWORD));
    expect(next.status).toBe(429);
    expect(next.headers.get('retry-after')).not.toBeNull();
    expect(await next.json()).toMatchObject({ jsonrpc: '2.0', id: 31, error: { code: -32000 } });
    expect(gateway.evaluations.signIns).toBe(30);
  });

  it('refuses a batch larger than the whole budget, without a Retry-After that could never come true', async () => {
    const gateway = await gatewayWith(10);
    const response = await postJson(
      `${gateway.url}/mcp`,
      range(1, 11).map((id) => signIn(id, `guess-${id}`)),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBeNull();
    const errors = await messagesOf(response);
    expect(errors.map((e) => e.id)).toEqual(range(1, 11));
    expect(errors[0]!.error?.message).toContain('at most 10');
    expect(gateway.evaluations.signIns).toBe(0);
  });

  it('counts messages POSTed to the legacy SSE endpoint the same way', async () => {
    const gateway = await gatewayWith(5);
    const sse = new SseRecorder(await fetch(`${gateway.url}/mcp/sse`, { headers: { accept: 'text/event-stream' } }));
    const endpoint = `${gateway.url}${await sse.endpoint()}`;
    expect((await postJson(endpoint, initialize(1, '2024-11-05'))).status).toBe(202);
    await sse.message(1);
    const refused = await postJson(
      endpoint,
      range(2, 5).map((id) => signIn(id, `guess-${id}`)),
    );
    expect(refused.status).toBe(429);
    expect((await messagesOf(refused)).map((e) => e.id)).toEqual(range(2, 5));
    const admitted = await postJson(
      endpoint,
      range(10, 4).map((id) => signIn(id, `guess-${id}`)),
    );
    expect(admitted.status).toBe(202);
    for (const id of range(10, 4)) await sse.message(id);
    expect(gateway.evaluations.signIns).toBe(4);
    expect(sse.messages().map((m) => m.id)).not.toContain(2);
    sse.cancel();
  });

  it('charges a POST that names the endpoint with percent-escapes the same', async () => {
    const gateway = await gatewayWith(2);
    const statuses: number[] = [];
    for (const path of ['/mcp', '/%6Dcp', '/%6dcp']) {
      statuses.push((await postJson(`${gateway.url}${path}`, signIn(path, `guess ${path}`))).status);
    }
    expect(statuses).toEqual([200, 200, 429]);
    expect(gateway.evaluations.signIns).toBe(2);
  });

  it('refuses an anonymous batch that holds a call needing a credential, one 401 error per request id', async () => {
    const gateway = await gatewayWith(30);
    const response = await postJson(`${gateway.url}/mcp`, [signIn(1, 'guess'), readAccount(2)]);
    expect(response.status).toBe(401);
    expect((await messagesOf(response)).map((e) => [e.id, e.error?.code])).toEqual([
      [1, -32001],
      [2, -32001],
    ]);
    expect(gateway.evaluations.signIns + gateway.evaluations.reads).toBe(0);
  });

  it('leaves a real MCP client within the limit untouched', async () => {
    const gateway = await gatewayWith(30);
    const client = new V1Client({ name: 'v1', version: '1.0.0' });
    await client.connect(new V1StreamableHTTPClientTransport(new URL(`${gateway.url}/mcp`)));
    const result = await client.callTool({
      name: 'authenticate_user',
      arguments: { email: 'victim@example.com', password: PASSWORD },
    });
    expect(result.content).toEqual([{ type: 'text', text: 'signed in' }]);
    await client.close();
  });
});

describe('JSON-RPC batches only where the negotiated protocol revision has them', () => {
  for (const revision of ['2025-06-18', '2025-11-25', '2026-07-28']) {
    it(`refuses a batch of 100 resource reads under ${revision} with -32600, evaluating none`, async () => {
      const gateway = await gatewayWith(0);
      const response = await postJson(`${gateway.url}/mcp`, range(1, 100).map(readAccount), {
        ...bearer('alice'),
        'mcp-protocol-version': revision,
      });
      expect(response.status).toBe(400);
      const body = (await response.json()) as RpcMessage;
      expect(body).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32600 } });
      expect(body.error?.message).toContain(revision);
      expect(gateway.evaluations.reads).toBe(0);
    });
  }

  it('refuses a batch whose MCP-Protocol-Version header is repeated with a revision that has none', async () => {
    const gateway = await gatewayWith(0);
    const headers = new Headers({ 'content-type': 'application/json', accept: 'application/json, text/event-stream' });
    headers.append('authorization', bearer('alice').Authorization);
    headers.append('mcp-protocol-version', '2025-03-26');
    headers.append('mcp-protocol-version', '2025-06-18');
    const response = await fetch(`${gateway.url}/mcp`, {
      method: 'POST',
      headers,
      body: JSON.stringify(range(1, 3).map(readAccount)),
    });
    expect(response.status).toBe(400);
    expect(gateway.evaluations.reads).toBe(0);
  });

  it('refuses an anonymous batch of sign-in calls under 2025-06-18 before any password is checked', async () => {
    const gateway = await gatewayWith(100);
    const response = await postJson(
      `${gateway.url}/mcp`,
      range(1, 20).map((id) => signIn(id, `guess-${id}`)),
      { 'mcp-protocol-version': '2025-06-18' },
    );
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32600 } });
    expect(gateway.evaluations.signIns).toBe(0);
  });

  it('still answers a batch under 2025-03-26, and without the header (which means 2025-03-26)', async () => {
    const gateway = await gatewayWith(0);
    for (const headers of [{ 'mcp-protocol-version': '2025-03-26' }, {}] as Array<Record<string, string>>) {
      const response = await postJson(`${gateway.url}/mcp`, range(1, 3).map(readAccount), {
        ...bearer('alice'),
        ...headers,
      });
      expect(response.status).toBe(200);
      const answers = await messagesOf(response);
      expect(answers.map((a) => a.id).sort()).toEqual([1, 2, 3]);
      for (const answer of answers) expect(answer.result?.contents?.[0]?.text).toBe(`account acc-${String(answer.id)}`);
    }
    expect(gateway.evaluations.reads).toBe(6);
  });

  it('still answers an anonymous batch under 2025-03-26 within the limit', async () => {
    const gateway = await gatewayWith(10);
    const response = await postJson(
      `${gateway.url}/mcp`,
      range(1, 5).map((id) => signIn(id, `guess-${id}`)),
      { 'mcp-protocol-version': '2025-03-26' },
    );
    expect(response.status).toBe(200);
    expect(await messagesOf(response)).toHaveLength(5);
    expect(gateway.evaluations.signIns).toBe(5);
  });

  it('refuses initialize inside a batch', async () => {
    const gateway = await gatewayWith(0);
    const response = await postJson(`${gateway.url}/mcp`, [initialize(1, '2025-03-26'), readAccount(2)], bearer('a'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: -32600 } });
    expect(gateway.evaluations.reads).toBe(0);
  });

  it('over legacy SSE, follows the revision the session negotiated', async () => {
    const gateway = await gatewayWith(0);
    const open = async (revision: string) => {
      const sse = new SseRecorder(
        await fetch(`${gateway.url}/mcp/sse`, { headers: { accept: 'text/event-stream', ...bearer('alice') } }),
      );
      const endpoint = `${gateway.url}${await sse.endpoint()}`;
      expect((await postJson(endpoint, initialize(1, revision), bearer('alice'))).status).toBe(202);
      expect((await sse.message(1)).result?.protocolVersion).toBe(revision);
      return { sse, endpoint };
    };

    const old = await open('2024-11-05');
    expect((await postJson(old.endpoint, [readAccount(2), readAccount(3)], bearer('alice'))).status).toBe(202);
    expect((await old.sse.message(3)).result?.contents?.[0]?.text).toBe('account acc-3');
    expect(gateway.evaluations.reads).toBe(2);

    const current = await open('2025-06-18');
    const refused = await postJson(current.endpoint, [readAccount(4), readAccount(5)], bearer('alice'));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: -32600 } });
    // A single message still goes through, and by then the refused batch would have been answered.
    expect((await postJson(current.endpoint, readAccount(6), bearer('alice'))).status).toBe(202);
    await current.sse.message(6);
    expect(current.sse.messages().map((m) => m.id)).not.toContain(4);
    expect(gateway.evaluations.reads).toBe(3);
    old.sse.cancel();
    current.sse.cancel();
  });
});
