import { once } from 'node:events';
import type { ServerResponse } from 'node:http';

import type { FastifyReply, FastifyRequest } from 'fastify';

/** Headers that describe the Node connection or the original body's framing, not the request. */
const NOT_FORWARDED = new Set(['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'upgrade', 'expect']);

/**
 * Builds the web `Request` the SDK's HTTP entry takes from a fastify request whose body fastify already parsed. The
 * Request carries no body: the caller hands the parsed body to the SDK as `parsedBody`, which the SDK reads instead
 * (serializing it again only to build a body stream nobody reads cost a JSON.stringify and two web streams per
 * call). Its signal aborts when the client goes away before the response finished, which is how the SDK cancels an
 * in-flight exchange.
 */
export function toWebRequest(request: FastifyRequest, reply: FastifyReply): Request {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || NOT_FORWARDED.has(name)) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return new Request(new URL(request.url, `${request.protocol}://${request.host}`), {
    method: request.method,
    headers,
    signal: controller.signal,
  });
}

/**
 * Copies the headers fastify's hooks set on `reply` (CORS) onto the raw response: a hijacked reply writes the raw
 * response directly, and fastify would otherwise drop them.
 */
export function carryReplyHeaders(reply: FastifyReply): void {
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) reply.raw.setHeader(name, value);
  }
}

/** Streams a web `Response` onto a hijacked fastify reply, honouring backpressure; stops when the client leaves. */
export async function sendWebResponse(reply: FastifyReply, response: Response): Promise<void> {
  const res = reply.raw;
  carryReplyHeaders(reply);
  response.headers.forEach((value, name) => {
    if (name !== 'set-cookie') res.setHeader(name, value);
  });
  const cookies = response.headers.getSetCookie();
  if (cookies.length > 0) res.setHeader('set-cookie', cookies);
  res.writeHead(response.status, response.statusText || undefined);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  const cancel = () => void reader.cancel().catch(() => {});
  res.once('close', cancel);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      if (res.destroyed) return;
      if (!res.write(value)) await drained(res);
    }
    res.end();
  } finally {
    res.off('close', cancel);
  }
}

async function drained(res: ServerResponse): Promise<void> {
  await Promise.race([once(res, 'drain'), once(res, 'close')]);
}
