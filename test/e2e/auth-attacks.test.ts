import { createHmac } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayEnv, startGateway, type Gateway } from '@fintech/gateway';
import { eventually, testNatsUrl } from '@fintech/testing';
import { startTestFleet, type TestFleet } from './fleet';

// Attacks on sign-in and sessions, from outside, through the gateway as an agent would make them.

let fleet: TestFleet;
const open: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  // The anonymous rate limit is raised so that these tests see the lockout alone, not the gateway's throttle.
  fleet = await startTestFleet({ gatewayEnv: { ANONYMOUS_RATE_LIMIT_PER_MINUTE: '100000' } });
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((c) => c.close().catch(() => undefined)));
});
afterAll(async () => {
  await fleet?.stop();
});

type ToolResult = { isError?: boolean; structuredContent?: Record<string, unknown>; content: { text: string }[] };

function structured(result: ToolResult): Record<string, unknown> {
  return result.structuredContent ?? JSON.parse(result.content[0]!.text);
}

function reasonOf(result: ToolResult): string {
  if (!result.isError) return 'OK';
  return String((structured(result).error as { reason: string }).reason);
}

async function mcpClient(url: string, token?: string): Promise<Client> {
  const client = new Client({ name: 'attack-e2e', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(
      new URL(url),
      token ? { requestInit: { headers: { Authorization: `Bearer ${token}` } } } : {},
    ),
  );
  open.push(client);
  return client;
}

async function callTool(client: Client, name: string, args: Record<string, unknown>): Promise<ToolResult> {
  return (await client.callTool({ name, arguments: args })) as ToolResult;
}

/** One POST carrying a JSON-RPC batch (allowed up to revision 2025-03-26, removed in 2025-06-18). */
async function postBatch(messages: unknown[], headers: Record<string, string> = {}): Promise<unknown[]> {
  const response = await fetch(fleet.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-03-26',
      ...headers,
    },
    body: JSON.stringify(messages),
  });
  expect(response.status).toBe(200);
  const text = await response.text();
  if (text.trimStart().startsWith('[') || text.trimStart().startsWith('{')) return [JSON.parse(text)].flat();
  // An SSE answer: one JSON-RPC message (or array) per `data:` line.
  return text
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .flatMap((line) => [JSON.parse(line.slice(5))].flat());
}

function toolCalls(name: string, argsOf: (i: number) => Record<string, unknown>, count: number, base: number) {
  return Array.from({ length: count }, (_, i) => ({
    jsonrpc: '2.0',
    id: base + i,
    method: 'tools/call',
    params: { name, arguments: argsOf(i) },
  }));
}

/** The reason of each answer of a batch, in the order of the ids, checking that every request got one answer. */
function batchReasons(answers: unknown[], ids: number[]): string[] {
  const byId = new Map<number, ToolResult>();
  for (const answer of answers as { id: number; result?: ToolResult; error?: unknown }[]) {
    expect(answer.error, JSON.stringify(answer)).toBeUndefined();
    expect(byId.has(answer.id), `a second answer to ${answer.id}`).toBe(false);
    byId.set(answer.id, answer.result!);
  }
  expect([...byId.keys()].sort((a, b) => a - b)).toEqual(ids);
  return ids.map((id) => reasonOf(byId.get(id)!));
}

function tally(reasons: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const reason of reasons) counts[reason] = (counts[reason] ?? 0) + 1;
  return counts;
}

/** RFC 6238 TOTP (HMAC-SHA-1, 30 s, 6 digits), as an authenticator app computes it. */
function totp(secretBase32: string, atMs: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = '';
  for (const char of secretBase32.replace(/=+$/, '')) bits += alphabet.indexOf(char).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g)!.map((byte) => parseInt(byte, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(atMs / 30_000)));
  const mac = createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1]! & 0x0f;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

function wrongCode(secret: string, seed: number): string {
  const now = Date.now();
  const valid = new Set([-2, -1, 0, 1, 2].map((step) => totp(secret, now + step * 30_000)));
  for (let n = seed; ; n++) {
    const code = String(n % 1_000_000).padStart(6, '0');
    if (!valid.has(code)) return code;
  }
}

describe('lockout against concurrent batches', () => {
  it('two concurrent POSTs, each a batch of 20 wrong passwords: at most MAX_FAILED_SIGN_INS are evaluated, the account locks and the right password is refused', async () => {
    const max = fleet.auth.deps.config.MAX_FAILED_SIGN_INS;
    const user = await fleet.createUser();
    const batch = (base: number) =>
      toolCalls('authenticate_user', (i) => ({ username: user.email, password: `wrong guess ${base + i}` }), 20, base);
    const [first, second] = await Promise.all([postBatch(batch(1)), postBatch(batch(101))]);
    const reasons = [...batchReasons(first!, range(1, 20)), ...batchReasons(second!, range(101, 20))];
    const counts = tally(reasons);
    expect(Object.keys(counts).sort()).toEqual(['ACCOUNT_LOCKED', 'UNAUTHENTICATED']);
    expect(counts.UNAUTHENTICATED).toBeLessThanOrEqual(max);
    expect(counts.ACCOUNT_LOCKED).toBeGreaterThanOrEqual(40 - max);

    const client = await mcpClient(fleet.url);
    const right = await callTool(client, 'authenticate_user', { username: user.email, password: user.password });
    expect(reasonOf(right)).toBe('ACCOUNT_LOCKED');
  });

  it('two concurrent batches of 20 wrong MFA codes: the account locks and the right code is refused', async () => {
    const max = fleet.auth.deps.config.MAX_FAILED_SIGN_INS;
    const user = await fleet.createUser();
    const client = await mcpClient(fleet.url);
    const signedIn = structured(
      await callTool(client, 'authenticate_user', { username: user.email, password: user.password }),
    );
    const owner = await mcpClient(fleet.url, String(signedIn.token));
    const { secret } = structured(await callTool(owner, 'enroll_mfa', { user_id: 'me' })) as { secret: string };
    expect(reasonOf(await callTool(owner, 'confirm_mfa', { user_id: 'me', code: totp(secret, Date.now()) }))).toBe(
      'OK',
    );

    // Three pending sign-ins (the attacker knows the password): two attacked at once with wrong codes, one kept aside.
    const pending = [];
    for (let i = 0; i < 3; i++) {
      const step = structured(
        await callTool(client, 'authenticate_user', { username: user.email, password: user.password }),
      );
      expect(step.status).toBe('mfa_required');
      pending.push(String(step.mfa_challenge));
    }
    const [spare, ...attacked] = pending;
    const batch = (base: number) =>
      toolCalls(
        'verify_mfa',
        (i) => ({ challenge: attacked[i % 2], code: wrongCode(secret, 100_000 + (base + i) * 7919) }),
        20,
        base,
      );
    const [first, second] = await Promise.all([postBatch(batch(1)), postBatch(batch(101))]);
    const counts = tally([...batchReasons(first!, range(1, 20)), ...batchReasons(second!, range(101, 20))]);
    // The three right passwords took three slots; at most the rest were spent on evaluated codes.
    expect(counts.INVALID_MFA_CODE ?? 0).toBeLessThanOrEqual(max - 3);
    expect(counts.OK).toBeUndefined();

    const right = await callTool(client, 'verify_mfa', { challenge: spare, code: totp(secret, Date.now()) });
    expect(reasonOf(right)).toBe('ACCOUNT_LOCKED');
    const password = await callTool(client, 'authenticate_user', { username: user.email, password: user.password });
    expect(reasonOf(password)).toBe('ACCOUNT_LOCKED');
  });
});

function range(start: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + i);
}

describe('refresh-token reuse', () => {
  /** The HTTP status of an authenticated discovery call: 200 while the token is accepted, 401 once refused. */
  async function statusWith(url: string, token: string): Promise<number> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    await response.body?.cancel();
    return response.status;
  }

  async function readProfile(url: string, token: string): Promise<string> {
    const client = await mcpClient(url, token);
    const content = (await client.readResource({ uri: 'users://me/profile' })).contents[0]!;
    const profile = JSON.parse('text' in content ? content.text : '{}');
    return String(profile.user_id);
  }

  let replica: Gateway | undefined;
  afterEach(async () => {
    await replica?.close();
    replica = undefined;
  });

  it('revokes the whole sign-in: its access tokens, used or not, are refused by every gateway replica within seconds', async () => {
    replica = await startGateway(
      GatewayEnv.parse({
        GATEWAY_PORT: '0',
        AUTH_GRPC_ADDRESS: `127.0.0.1:${fleet.auth.port}`,
        NATS_URL: testNatsUrl(),
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      }),
    );
    const user = await fleet.createUser();
    const bystander = await fleet.createUser();
    const anonymous = await mcpClient(fleet.url);
    const signIn = async (who: { email: string; password: string }) =>
      structured(await callTool(anonymous, 'authenticate_user', { username: who.email, password: who.password }));
    const session = await signIn(user);
    const other = await signIn(bystander);
    const stolen = String(session.refresh_token);
    const token = String(session.token);

    // The token is used on both replicas, so each holds an exchanged internal token for it in its cache.
    expect(await readProfile(fleet.url, token)).toBe(user.id);
    expect(await readProfile(replica.url, token)).toBe(user.id);

    // First rotation is fine; its new access token is never used before the revocation.
    const rotated = structured(await callTool(anonymous, 'refresh_token', { refresh_token: stolen }));
    expect(rotated.token).toBeTruthy();
    const rotatedToken = String(rotated.token);

    // The spent token is replayed (a thief, or the user after the thief): the sign-in is revoked.
    const replay = await callTool(anonymous, 'refresh_token', { refresh_token: stolen });
    expect(reasonOf(replay)).toBe('REFRESH_TOKEN_REUSED');
    const message = String((structured(replay).error as { message: string }).message);
    expect(message).toMatch(/refresh tokens no longer work/);
    expect(message).toMatch(/access tokens are refused within seconds/);
    const revokedAt = Date.now();

    // Within seconds every access token of the sign-in is refused as invalid (401) by both replicas.
    for (const [url, t] of [
      [fleet.url, token],
      [replica.url, token],
      [fleet.url, rotatedToken],
      [replica.url, rotatedToken],
    ] as const) {
      await eventually(async () => (await statusWith(url, t)) === 401, {
        timeoutMs: 5_000,
        message: `token still accepted by ${url}`,
      });
    }
    expect(Date.now() - revokedAt).toBeLessThan(5_000);
    const refusedRead = await mcpClient(fleet.url, token).then(
      (client) => client.readResource({ uri: 'users://me/profile' }).then(() => 'read'),
      () => 'refused',
    );
    expect(refusedRead).toBe('refused');

    // The rotated refresh token is revoked too; another user's sign-in is untouched.
    expect(reasonOf(await callTool(anonymous, 'refresh_token', { refresh_token: String(rotated.refresh_token) }))).toBe(
      'INVALID_REFRESH_TOKEN',
    );
    expect(await readProfile(fleet.url, String(other.token))).toBe(bystander.id);
    expect(await readProfile(replica.url, String(other.token))).toBe(bystander.id);
  });

  it('a replica started after the revocation refuses the tokens too', async () => {
    const user = await fleet.createUser();
    const anonymous = await mcpClient(fleet.url);
    const session = structured(
      await callTool(anonymous, 'authenticate_user', { username: user.email, password: user.password }),
    );
    await callTool(anonymous, 'refresh_token', { refresh_token: String(session.refresh_token) });
    const replay = await callTool(anonymous, 'refresh_token', { refresh_token: String(session.refresh_token) });
    expect(reasonOf(replay)).toBe('REFRESH_TOKEN_REUSED');

    // Without NATS it learns nothing from events: the auth service's exchange refuses the revoked session.
    replica = await startGateway(
      GatewayEnv.parse({
        GATEWAY_PORT: '0',
        AUTH_GRPC_ADDRESS: `127.0.0.1:${fleet.auth.port}`,
        LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
      }),
    );
    const client = await mcpClient(replica.url, String(session.token));
    const read = await client.readResource({ uri: 'users://me/profile' }).then(
      () => 'read',
      (error: unknown) => String((error as Error).message),
    );
    expect(read).toMatch(/revoked/);
    // Having been told so by the auth service, the replica now refuses the token at the door.
    expect(await statusWith(replica.url, String(session.token))).toBe(401);
  });
});
