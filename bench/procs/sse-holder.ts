import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { serveParent } from '../lib/child';

/**
 * Holds idle legacy HTTP+SSE sessions open against a gateway (`GET /mcp/sse`), one TCP connection each, and
 * watches their heartbeats. Several of these processes share a ramp, so no single client runs out of descriptors.
 */
interface Session {
  id: string;
  req: ClientRequest;
  res: IncomingMessage;
  lastPing: number;
  pings: number;
  closed: boolean;
}

const sessions: Session[] = [];
let lost = 0;

function openOne(origin: URL, token: string | undefined, timeoutMs: number): Promise<Session> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: origin.hostname,
      port: origin.port,
      path: '/mcp/sse',
      method: 'GET',
      agent: false,
      headers: { accept: 'text/event-stream', ...(token && { authorization: `Bearer ${token}` }) },
    });
    const timer = setTimeout(() => {
      req.destroy(new Error('no endpoint event in time'));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.on('response', (res) => {
      if (res.statusCode !== 200) {
        clearTimeout(timer);
        res.resume();
        reject(new Error(`HTTP ${res.statusCode}`));
        return;
      }
      res.setEncoding('utf8');
      let buffer = '';
      let session: Session | undefined;
      res.on('data', (chunk: string) => {
        if (session) {
          if (chunk.includes(': ping')) {
            session.lastPing = Date.now();
            session.pings++;
          }
          return;
        }
        buffer += chunk;
        // The 2024-11-05 transport's first event names the endpoint: /mcp/messages?sessionId=<uuid>.
        const match = /event: endpoint\ndata: [^\n]*sessionId=([0-9a-f-]+)/.exec(buffer);
        if (match) {
          clearTimeout(timer);
          session = { id: match[1]!, req, res, lastPing: 0, pings: 0, closed: false };
          buffer = '';
          resolve(session);
        }
      });
      res.on('close', () => {
        if (session && !session.closed) {
          session.closed = true;
          lost++;
        }
      });
    });
    req.end();
  });
}

serveParent(
  {},
  {
    /** Opens `count` more sessions, `concurrency` at a time; reports how many opened and the first failure. */
    async open({
      origin,
      tokens,
      count,
      concurrency,
      timeoutMs,
    }: {
      origin: string;
      tokens: string[];
      count: number;
      concurrency: number;
      timeoutMs: number;
    }) {
      const url = new URL(origin);
      let next = 0;
      let opened = 0;
      let failed = 0;
      let firstError: string | undefined;
      const worker = async () => {
        while (next < count) {
          const i = next++;
          try {
            sessions.push(await openOne(url, tokens[i % tokens.length], timeoutMs));
            opened++;
          } catch (error) {
            failed++;
            firstError ??=
              error instanceof Error
                ? `${error.message}${'code' in error ? ` (${String(error.code)})` : ''}`
                : String(error);
          }
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      return { opened, failed, firstError };
    },
    /** Sessions still open, and how many of them had a heartbeat within `withinMs`. */
    status({ withinMs }: { withinMs: number }) {
      const now = Date.now();
      const open = sessions.filter((s) => !s.closed);
      return {
        open: open.length,
        beating: open.filter((s) => now - s.lastPing <= withinMs).length,
        lost,
      };
    },
    /** Sends a JSON-RPC ping on one held session and times the answer arriving on its stream. */
    async probe({ origin, token }: { origin: string; token?: string }) {
      const session = sessions.find((s) => !s.closed);
      if (!session) throw new Error('no open session');
      const started = performance.now();
      const answered = new Promise<void>((resolve) => {
        const onData = (chunk: string) => {
          if (chunk.includes('"id":"bench-probe"')) {
            session.res.off('data', onData);
            resolve();
          }
        };
        session.res.on('data', onData);
      });
      const body = JSON.stringify({ jsonrpc: '2.0', id: 'bench-probe', method: 'ping' });
      const url = new URL(`/mcp/messages?sessionId=${session.id}`, origin);
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(url, {
          method: 'POST',
          agent: false,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            ...(token && { authorization: `Bearer ${token}` }),
          },
        });
        req.on('response', (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        });
        req.on('error', reject);
        req.end(body);
      });
      if (status !== 202) throw new Error(`probe POST answered ${status}`);
      await answered;
      return { ms: performance.now() - started };
    },
    /** Closes `count` sessions (frees descriptors on a gateway that is at its limit). */
    closeSome({ count }: { count: number }) {
      for (const session of sessions.splice(0, count)) {
        session.closed = true;
        session.req.destroy();
      }
    },
    closeAll() {
      for (const session of sessions) {
        session.closed = true;
        session.req.destroy();
      }
      sessions.length = 0;
    },
  },
  async () => {
    for (const session of sessions) session.req.destroy();
  },
);
