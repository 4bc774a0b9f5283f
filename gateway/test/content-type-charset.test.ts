import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import {
  bearer,
  initialize,
  messagesOf,
  PASSWORD,
  SseRecorder,
  startTransportGateway,
} from './support/transport-gateway';
import type { TransportGateway } from './support/transport-gateway';

const signIn = (id: number) => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name: 'authenticate_user', arguments: { email: 'victim@example.com', password: PASSWORD } },
});

function post(url: string, body: string | Uint8Array, contentType: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType, accept: 'application/json, text/event-stream', ...headers },
    body,
  });
}

/** UTF-16LE bytes with a BOM, as a client that means `charset=utf-16` sends them. */
function utf16(text: string): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes[0] = 0xff;
  bytes[1] = 0xfe;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    bytes[2 + i * 2] = unit & 0xff;
    bytes[3 + i * 2] = unit >> 8;
  }
  return bytes;
}

describe('request bodies are UTF-8 JSON, on every POST endpoint', () => {
  let gateway: TransportGateway;
  let sse: SseRecorder;
  let legacyEndpoint: string;

  beforeAll(async () => {
    gateway = await startTransportGateway();
    sse = new SseRecorder(await fetch(`${gateway.url}/mcp/sse`, { headers: { accept: 'text/event-stream' } }));
    legacyEndpoint = `${gateway.url}${await sse.endpoint()}`;
    const init = await post(legacyEndpoint, JSON.stringify(initialize(1, '2024-11-05')), 'application/json');
    expect(init.status).toBe(202);
    await sse.message(1);
  });

  afterAll(async () => {
    sse.cancel();
    await gateway.app.close();
  });

  const endpoints = () => [
    ['Streamable HTTP', `${gateway.url}/mcp`],
    ['legacy messages', legacyEndpoint],
  ];

  it('refuses charset=utf-16 with 415 and says what to send, whether the body is UTF-16 or not', async () => {
    for (const [, url] of endpoints()) {
      const text = JSON.stringify(signIn(2));
      for (const body of [utf16(text), text]) {
        const response = await post(url!, body, 'application/json; charset=utf-16');
        expect(response.status).toBe(415);
        const error = (await response.json()) as { error: { code: number; message: string } };
        expect(error.error.code).toBe(-32000);
        expect(error.error.message).toContain('charset "utf-16"');
        expect(error.error.message).toContain('UTF-8');
      }
    }
    expect(gateway.evaluations.signIns).toBe(0);
  });

  it('refuses every other charset, however spelled, even when the bytes would parse as UTF-8', async () => {
    const ascii = JSON.stringify(signIn(3));
    for (const [, url] of endpoints()) {
      for (const contentType of [
        'application/json; charset=UTF-16LE',
        'application/json;charset=iso-8859-1',
        'application/json; CHARSET="us-ascii"',
        'application/json; charset=utf-8; charset=utf-16',
        'application/json; charset=',
      ]) {
        const response = await post(url!, ascii, contentType, bearer('alice'));
        expect(response.status, contentType).toBe(415);
      }
    }
    expect(gateway.evaluations.signIns).toBe(0);
  });

  it('accepts UTF-8 named in any case, quoted or not, and no charset at all', async () => {
    let id = 10;
    for (const contentType of [
      'application/json',
      'application/json; charset=utf-8',
      'application/json; charset=UTF-8',
      'application/json;charset="Utf-8"',
    ]) {
      const response = await post(`${gateway.url}/mcp`, JSON.stringify(signIn(++id)), contentType);
      expect(response.status, contentType).toBe(200);
      expect((await messagesOf(response))[0]?.result?.content?.[0]?.text).toBe('signed in');
      const legacy = await post(legacyEndpoint, JSON.stringify(signIn(++id)), contentType);
      expect(legacy.status, contentType).toBe(202);
      expect((await sse.message(id)).result?.content?.[0]?.text).toBe('signed in');
    }
    expect(gateway.evaluations.signIns).toBe(8);
  });
});
