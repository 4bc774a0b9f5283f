import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import Fastify from 'fastify';
import {
  AccountSubtype,
  AccountType,
  Configuration,
  CountryCode,
  PlaidApi,
  Products,
  SandboxItemFireWebhookRequestWebhookCodeEnum,
  type PlaidError,
  type RemovedTransaction,
  type Transaction,
} from 'plaid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClock } from '../src/core/clock.js';
import type { SandboxClock } from '../src/core/types.js';
import { createPlaidEmulator, DEFAULT_PLAID_CREDENTIALS, type PlaidEmulator } from '../src/plaid/index.js';

interface RunningEmulator {
  emulator: PlaidEmulator;
  clock: SandboxClock;
  url: string;
  client: PlaidApi;
}

const running: RunningEmulator[] = [];

async function startEmulator(seed: string, clock = createClock()): Promise<RunningEmulator> {
  const emulator = createPlaidEmulator({ seed, clock, webhooks: { retryDelaysMs: [20, 40, 80] } });
  await emulator.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = emulator.app.server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const started = { emulator, clock, url, client: plaidClient(url) };
  running.push(started);
  return started;
}

function plaidClient(
  basePath: string,
  clientId = DEFAULT_PLAID_CREDENTIALS.clientId,
  secret = DEFAULT_PLAID_CREDENTIALS.secret,
): PlaidApi {
  return new PlaidApi(
    new Configuration({ basePath, baseOptions: { headers: { 'PLAID-CLIENT-ID': clientId, 'PLAID-SECRET': secret } } }),
  );
}

/** The Plaid error object of a failed SDK call, read from the axios error the way an adapter reads it. */
async function plaidErrorOf(call: Promise<unknown>): Promise<{ status: number; error: PlaidError }> {
  try {
    await call;
  } catch (thrown) {
    const response = (thrown as { response?: { status: number; data: PlaidError } }).response;
    if (response) return { status: response.status, error: response.data };
    throw thrown;
  }
  throw new Error('expected the Plaid call to fail');
}

async function linkItem(
  client: PlaidApi,
  options: { institutionId?: string; webhook?: string } = {},
): Promise<{ accessToken: string; itemId: string }> {
  const created = await client.sandboxPublicTokenCreate({
    institution_id: options.institutionId ?? 'ins_109508',
    initial_products: [Products.Transactions],
    options: options.webhook ? { webhook: options.webhook } : {},
  });
  const exchanged = await client.itemPublicTokenExchange({ public_token: created.data.public_token });
  return { accessToken: exchanged.data.access_token, itemId: exchanged.data.item_id };
}

interface SyncResult {
  added: Transaction[];
  modified: Transaction[];
  removed: RemovedTransaction[];
  cursor: string;
  pages: number;
}

/** The documented /transactions/sync loop: page until has_more is false, keeping the last cursor. */
async function syncAll(client: PlaidApi, accessToken: string, cursor: string, count: number): Promise<SyncResult> {
  const result: SyncResult = { added: [], modified: [], removed: [], cursor, pages: 0 };
  let hasMore = true;
  while (hasMore) {
    const { data } = await client.transactionsSync({ access_token: accessToken, cursor: result.cursor, count });
    expect(data.added.length + data.modified.length + data.removed.length).toBeLessThanOrEqual(count);
    result.added.push(...data.added);
    result.modified.push(...data.modified);
    result.removed.push(...data.removed);
    result.cursor = data.next_cursor;
    result.pages += 1;
    hasMore = data.has_more;
  }
  return result;
}

interface ReceivedWebhook {
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A tiny webhook receiver; `failFirst` answers 500 that many times before accepting. */
async function startReceiver(failFirst = 0): Promise<{ url: string; received: ReceivedWebhook[]; server: Server }> {
  const received: ReceivedWebhook[] = [];
  let failures = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (failures < failFirst) {
        failures += 1;
        response.writeHead(500).end();
        return;
      }
      received.push({ headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/plaid/webhooks`, received, server };
}

/**
 * Plaid's documented verification: read the kid from the JWT header without verifying, require ES256, fetch the key
 * with /webhook_verification_key/get, verify the signature, reject a token older than five minutes, and compare the
 * SHA-256 of the raw body with `request_body_sha256` in constant time.
 */
async function verifyPlaidWebhook(client: PlaidApi, webhook: ReceivedWebhook, now: Date): Promise<boolean> {
  const token = webhook.headers['plaid-verification'];
  if (typeof token !== 'string') return false;
  const header = decodeProtectedHeader(token);
  if (header.alg !== 'ES256' || typeof header.kid !== 'string') return false;
  const { data } = await client.webhookVerificationKeyGet({ key_id: header.kid });
  const key = await importJWK({ ...data.key }, 'ES256');
  const { payload } = await jwtVerify(token, key, { algorithms: ['ES256'], maxTokenAge: '5m', currentDate: now });
  if (typeof payload.iat !== 'number' || Math.abs(now.getTime() / 1000 - payload.iat) > 5 * 60) return false;
  const claimed = payload['request_body_sha256'];
  if (typeof claimed !== 'string') return false;
  const actual = createHash('sha256').update(webhook.body, 'utf8').digest('hex');
  return claimed.length === actual.length && timingSafeEqual(Buffer.from(claimed), Buffer.from(actual));
}

afterAll(async () => {
  for (const { emulator } of running) {
    await emulator.close();
    await emulator.app.close();
  }
});

describe('Plaid emulator through the plaid SDK', () => {
  let plaid: RunningEmulator;

  beforeAll(async () => {
    plaid = await startEmulator('plaid-test-seed');
  });

  it('links an item: public token, exchange, accounts and balances', async () => {
    const { client } = plaid;
    const created = await client.sandboxPublicTokenCreate({
      institution_id: 'ins_109508',
      initial_products: [Products.Transactions],
    });
    expect(created.data.public_token).toMatch(/^public-sandbox-[0-9a-f-]{36}$/);
    expect(created.data.request_id).toMatch(/^[A-Za-z0-9]{15}$/);

    const exchanged = await client.itemPublicTokenExchange({ public_token: created.data.public_token });
    expect(exchanged.data.access_token).toMatch(/^access-sandbox-[0-9a-f-]{36}$/);
    const accessToken = exchanged.data.access_token;

    const { data: accounts } = await client.accountsGet({ access_token: accessToken });
    expect(accounts.item.item_id).toBe(exchanged.data.item_id);
    expect(accounts.item.institution_id).toBe('ins_109508');
    expect(accounts.item.billed_products).toEqual(['transactions']);
    const bySubtype = new Map(accounts.accounts.map((a) => [a.subtype, a]));
    expect(bySubtype.get(AccountSubtype.Checking)?.type).toBe(AccountType.Depository);
    expect(bySubtype.get(AccountSubtype.Savings)?.type).toBe(AccountType.Depository);
    expect(bySubtype.get(AccountSubtype.CreditCard)?.type).toBe(AccountType.Credit);
    expect(bySubtype.get(AccountSubtype.Ira)?.type).toBe(AccountType.Investment);
    for (const account of accounts.accounts) {
      expect(account.mask).toMatch(/^\d{4}$/);
      expect(account.balances.iso_currency_code).toBe('USD');
      expect(Number.isInteger(Math.round((account.balances.current ?? 0) * 100))).toBe(true);
    }
    const card = bySubtype.get(AccountSubtype.CreditCard);
    expect(card?.balances.limit).toBeGreaterThan(0);

    const checking = bySubtype.get(AccountSubtype.Checking);
    const { data: balances } = await client.accountsBalanceGet({
      access_token: accessToken,
      options: { account_ids: [checking?.account_id ?? ''] },
    });
    expect(balances.accounts).toHaveLength(1);
    expect(balances.accounts[0]?.balances.current).toBe(checking?.balances.current);
    expect(balances.accounts[0]?.balances.available).toBeLessThanOrEqual(checking?.balances.current ?? 0);

    const unknownAccount = await plaidErrorOf(
      client.accountsGet({ access_token: accessToken, options: { account_ids: ['nope'] } }),
    );
    expect(unknownAccount.error.error_code).toBe('INVALID_ACCOUNT_ID');
  });

  it('refuses bad API keys with INVALID_API_KEYS', async () => {
    const wrong = plaidClient(plaid.url, DEFAULT_PLAID_CREDENTIALS.clientId, 'not-the-secret');
    const { status, error } = await plaidErrorOf(
      wrong.sandboxPublicTokenCreate({ institution_id: 'ins_109508', initial_products: [Products.Transactions] }),
    );
    expect(status).toBe(400);
    expect(error).toMatchObject({
      error_type: 'INVALID_INPUT',
      error_code: 'INVALID_API_KEYS',
      display_message: null,
    });
    expect(error.request_id).toMatch(/^[A-Za-z0-9]{15}$/);

    const missing = new PlaidApi(new Configuration({ basePath: plaid.url }));
    const missingKeys = await plaidErrorOf(
      missing.institutionsGetById({ institution_id: 'ins_109508', country_codes: [CountryCode.Us] }),
    );
    expect(missingKeys.error.error_code).toBe('INVALID_API_KEYS');

    // Plaid also takes the keys in the body.
    const inBody = await missing.institutionsGetById({
      client_id: DEFAULT_PLAID_CREDENTIALS.clientId,
      secret: DEFAULT_PLAID_CREDENTIALS.secret,
      institution_id: 'ins_109508',
      country_codes: [CountryCode.Us],
    });
    expect(inBody.data.institution.name).toBe('First Platypus Bank');
  });

  it('exchanges a public token once, and not after 30 minutes', async () => {
    const { client, clock } = plaid;
    const request = { institution_id: 'ins_109509', initial_products: [Products.Transactions] };
    const first = await client.sandboxPublicTokenCreate(request);
    await client.itemPublicTokenExchange({ public_token: first.data.public_token });
    const reused = await plaidErrorOf(client.itemPublicTokenExchange({ public_token: first.data.public_token }));
    expect(reused.status).toBe(400);
    expect(reused.error).toMatchObject({ error_type: 'INVALID_INPUT', error_code: 'INVALID_PUBLIC_TOKEN' });

    const second = await client.sandboxPublicTokenCreate(request);
    clock.advance(31 * 60 * 1000);
    try {
      const expired = await plaidErrorOf(client.itemPublicTokenExchange({ public_token: second.data.public_token }));
      expect(expired.error.error_code).toBe('INVALID_PUBLIC_TOKEN');
      expect(expired.error.error_message).toContain('expired');
    } finally {
      clock.advance(-31 * 60 * 1000);
    }

    const malformed = await plaidErrorOf(client.itemPublicTokenExchange({ public_token: 'public-sandbox-nope' }));
    expect(malformed.error.error_code).toBe('INVALID_PUBLIC_TOKEN');
  });

  it('pages a transaction history through /transactions/sync and then returns only the changes', async () => {
    const { client } = plaid;
    const { accessToken } = await linkItem(client);

    const initial = await syncAll(client, accessToken, '', 25);
    expect(initial.pages).toBeGreaterThan(3);
    expect(initial.modified).toEqual([]);
    expect(initial.removed).toEqual([]);
    const ids = new Set(initial.added.map((tx) => tx.transaction_id));
    expect(ids.size).toBe(initial.added.length);
    const pendingBefore = initial.added.filter((tx) => tx.pending);
    expect(pendingBefore.length).toBeGreaterThan(0);
    for (const tx of initial.added) {
      expect(tx.transaction_id).toMatch(/^[A-Za-z0-9]{37}$/);
      expect(tx.date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(Math.round(tx.amount * 100) / 100).toBe(tx.amount);
      expect(tx.personal_finance_category?.primary).toBeTruthy();
      expect(tx.personal_finance_category?.detailed.startsWith(tx.personal_finance_category.primary)).toBe(true);
      expect(['online', 'in store', 'other']).toContain(tx.payment_channel);
    }
    // Plaid's sign convention: wages come in negative, purchases go out positive.
    expect(initial.added.some((tx) => tx.personal_finance_category?.detailed === 'INCOME_WAGES' && tx.amount < 0)).toBe(
      true,
    );
    expect(
      initial.added.some((tx) => tx.personal_finance_category?.primary === 'FOOD_AND_DRINK' && tx.amount > 0),
    ).toBe(true);

    const { data: listed } = await client.transactionsGet({
      access_token: accessToken,
      start_date: '2000-01-01',
      end_date: '2100-01-01',
      options: { count: 10, offset: 5 },
    });
    expect(listed.total_transactions).toBe(initial.added.length);
    expect(listed.transactions).toHaveLength(10);

    const quiet = await client.transactionsSync({ access_token: accessToken, cursor: initial.cursor });
    expect(quiet.data).toMatchObject({ added: [], modified: [], removed: [], has_more: false });
    expect(quiet.data.next_cursor).toBe(initial.cursor);
    expect(quiet.data.transactions_update_status).toBe('HISTORICAL_UPDATE_COMPLETE');

    await client.transactionsRefresh({ access_token: accessToken });

    const firstPage = await client.transactionsSync({ access_token: accessToken, cursor: initial.cursor, count: 2 });
    expect(firstPage.data.has_more).toBe(true);
    const changes = await syncAll(client, accessToken, initial.cursor, 2);
    expect(changes.pages).toBeGreaterThan(1);
    expect(changes.added.length).toBeGreaterThan(0);
    expect(changes.modified.length).toBeGreaterThan(0);
    expect(changes.removed.length).toBeGreaterThan(0);

    // Pending → posted: the pending transaction is removed and the posted one names it.
    const removedIds = new Set(changes.removed.map((r) => r.transaction_id));
    for (const removed of changes.removed) expect(ids.has(removed.transaction_id)).toBe(true);
    const posted = changes.added.filter((tx) => tx.pending_transaction_id !== null);
    expect(posted.length).toBeGreaterThan(0);
    for (const tx of posted) {
      expect(tx.pending).toBe(false);
      expect(removedIds.has(tx.pending_transaction_id ?? '')).toBe(true);
    }
    for (const tx of changes.modified) expect(ids.has(tx.transaction_id)).toBe(true);

    const after = await client.transactionsSync({ access_token: accessToken, cursor: changes.cursor });
    expect(after.data).toMatchObject({ added: [], modified: [], removed: [], has_more: false });
  });

  it('fails a pagination that sees the data change, as Plaid documents', async () => {
    const { client, emulator } = plaid;
    const { accessToken } = await linkItem(client);
    const first = await client.transactionsSync({ access_token: accessToken, count: 10 });
    expect(first.data.has_more).toBe(true);
    emulator.addTransactions(accessToken, 3);
    const failed = await plaidErrorOf(
      client.transactionsSync({ access_token: accessToken, cursor: first.data.next_cursor, count: 10 }),
    );
    expect(failed.error).toMatchObject({
      error_type: 'TRANSACTIONS_ERROR',
      error_code: 'TRANSACTIONS_SYNC_MUTATION_DURING_PAGINATION',
    });
    const restarted = await syncAll(client, accessToken, '', 100);
    expect(restarted.added.length).toBeGreaterThan(first.data.added.length);
  });

  it('refuses the access token of a removed item', async () => {
    const { client } = plaid;
    const { accessToken } = await linkItem(client);
    await client.itemRemove({ access_token: accessToken });
    const refused = await plaidErrorOf(client.accountsGet({ access_token: accessToken }));
    expect(refused.status).toBe(400);
    expect(refused.error).toMatchObject({ error_type: 'ITEM_ERROR', error_code: 'ITEM_NOT_FOUND' });

    const unknown = await plaidErrorOf(client.accountsGet({ access_token: 'access-sandbox-not-a-token' }));
    expect(unknown.error).toMatchObject({ error_type: 'INVALID_INPUT', error_code: 'INVALID_ACCESS_TOKEN' });
  });

  it('puts an item into ITEM_LOGIN_REQUIRED and back', async () => {
    const { client, emulator } = plaid;
    const { accessToken } = await linkItem(client);
    await client.sandboxItemResetLogin({ access_token: accessToken });
    const refused = await plaidErrorOf(client.transactionsSync({ access_token: accessToken }));
    expect(refused.error).toMatchObject({ error_type: 'ITEM_ERROR', error_code: 'ITEM_LOGIN_REQUIRED' });
    const { data } = await client.itemGet({ access_token: accessToken });
    expect(data.item.error?.error_code).toBe('ITEM_LOGIN_REQUIRED');

    emulator.repairLogin(accessToken);
    const healthy = await client.itemGet({ access_token: accessToken });
    expect(healthy.data.item.error).toBeNull();
    await client.accountsGet({ access_token: accessToken });
  });

  it('serves institutions by id, in pages and by search', async () => {
    const { client } = plaid;
    const { data: byId } = await client.institutionsGetById({
      institution_id: 'ins_109508',
      country_codes: [CountryCode.Us],
    });
    expect(byId.institution).toMatchObject({ institution_id: 'ins_109508', name: 'First Platypus Bank', oauth: false });

    const firstPage = await client.institutionsGet({ count: 2, offset: 0, country_codes: [CountryCode.Us] });
    const secondPage = await client.institutionsGet({ count: 2, offset: 2, country_codes: [CountryCode.Us] });
    expect(firstPage.data.institutions).toHaveLength(2);
    expect(firstPage.data.total).toBeGreaterThan(4);
    expect(secondPage.data.institutions[0]?.institution_id).not.toBe(firstPage.data.institutions[0]?.institution_id);

    const found = await client.institutionsSearch({ query: 'platypus', country_codes: [CountryCode.Us] });
    expect(found.data.institutions.map((i) => i.institution_id)).toContain('ins_109508');

    const unknown = await plaidErrorOf(
      client.institutionsGetById({ institution_id: 'ins_0', country_codes: [CountryCode.Us] }),
    );
    expect(unknown.error.error_code).toBe('INVALID_INSTITUTION');
  });

  it('uses the institution country: currency, and transaction_code only for European banks', async () => {
    const { client } = plaid;
    const { accessToken } = await linkItem(client, { institutionId: 'ins_117650' });
    const { data } = await client.transactionsSync({ access_token: accessToken, count: 50 });
    expect(data.accounts.every((a) => a.balances.iso_currency_code === 'GBP')).toBe(true);
    expect(data.added.every((tx) => tx.iso_currency_code === 'GBP' && tx.transaction_code !== null)).toBe(true);

    const us = await linkItem(client);
    const usPage = await client.transactionsSync({ access_token: us.accessToken, count: 50 });
    expect(usPage.data.added.every((tx) => tx.transaction_code === null)).toBe(true);
  });
});

describe('Plaid webhooks', () => {
  let plaid: RunningEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;

  beforeAll(async () => {
    plaid = await startEmulator('plaid-webhook-seed');
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await new Promise((resolve) => receiver.server.close(resolve));
  });

  it('signs webhooks the way Plaid does, so a receiver can verify them', async () => {
    const { client, emulator, clock } = plaid;
    const { accessToken, itemId } = await linkItem(client, { webhook: receiver.url });
    await emulator.flushWebhooks();
    const linked = receiver.received.at(-1);
    expect(linked).toBeDefined();
    if (!linked) return;
    expect(JSON.parse(linked.body)).toEqual({
      webhook_type: 'TRANSACTIONS',
      webhook_code: 'SYNC_UPDATES_AVAILABLE',
      item_id: itemId,
      initial_update_complete: true,
      historical_update_complete: true,
      environment: 'sandbox',
    });
    expect(await verifyPlaidWebhook(client, linked, clock.now())).toBe(true);
    expect(decodeProtectedHeader(linked.headers['plaid-verification'] as string)).toEqual({
      alg: 'ES256',
      kid: emulator.webhookKeyId,
      typ: 'JWT',
    });

    await client.transactionsRefresh({ access_token: accessToken });
    await emulator.flushWebhooks();
    const refreshed = receiver.received.at(-1);
    expect(refreshed && JSON.parse(refreshed.body)).toMatchObject({
      webhook_code: 'SYNC_UPDATES_AVAILABLE',
      item_id: itemId,
    });

    await client.sandboxItemFireWebhook({
      access_token: accessToken,
      webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.DefaultUpdate,
    });
    await emulator.flushWebhooks();
    const fired = receiver.received.at(-1);
    expect(fired && JSON.parse(fired.body)).toMatchObject({
      webhook_type: 'TRANSACTIONS',
      webhook_code: 'DEFAULT_UPDATE',
    });
    if (fired) expect(await verifyPlaidWebhook(client, fired, clock.now())).toBe(true);
  });

  it('refuses a tampered body and a stale token', async () => {
    const { client, emulator, clock } = plaid;
    await linkItem(client, { webhook: receiver.url });
    await emulator.flushWebhooks();
    const genuine = receiver.received.at(-1);
    expect(genuine).toBeDefined();
    if (!genuine) return;
    const tampered = { ...genuine, body: genuine.body.replace('"sandbox"', '"production"') };
    expect(tampered.body).not.toBe(genuine.body);
    expect(await verifyPlaidWebhook(client, tampered, clock.now())).toBe(false);

    const later = new Date(clock.now().getTime() + 6 * 60 * 1000);
    await expect(verifyPlaidWebhook(client, genuine, later)).rejects.toThrow();

    const badKey = await plaidErrorOf(client.webhookVerificationKeyGet({ key_id: 'not-a-key' }));
    expect(badKey.error.error_code).toBe('INVALID_WEBHOOK_VERIFICATION_KEY_ID');
  });

  it('retries a webhook the receiver fails to accept', async () => {
    const flaky = await startReceiver(2);
    try {
      const { client, emulator } = plaid;
      const { accessToken } = await linkItem(client);
      await client.itemWebhookUpdate({ access_token: accessToken, webhook: flaky.url });
      await emulator.flushWebhooks();
      expect(flaky.received).toHaveLength(1);
      expect(JSON.parse(flaky.received[0]?.body ?? '{}')).toMatchObject({
        webhook_type: 'ITEM',
        webhook_code: 'WEBHOOK_UPDATE_ACKNOWLEDGED',
        new_webhook_url: flaky.url,
      });
      const sent = emulator.webhooks().at(-1);
      expect(sent?.delivery).toMatchObject({ state: 'delivered', attempts: 3, lastStatus: 200 });
    } finally {
      await new Promise((resolve) => flaky.server.close(resolve));
    }
  });

  it('refuses to fire a webhook for an item without a webhook URL', async () => {
    const { client } = plaid;
    const { accessToken } = await linkItem(client);
    const refused = await plaidErrorOf(
      client.sandboxItemFireWebhook({
        access_token: accessToken,
        webhook_code: SandboxItemFireWebhookRequestWebhookCodeEnum.SyncUpdatesAvailable,
      }),
    );
    expect(refused.error).toMatchObject({ error_type: 'SANDBOX_ERROR', error_code: 'SANDBOX_WEBHOOK_INVALID' });
  });
});

describe('Plaid determinism', () => {
  const at = new Date('2026-03-15T15:00:00Z');

  async function snapshot(seed: string): Promise<unknown> {
    const { client } = await startEmulator(seed, createClock(at));
    const out: unknown[] = [];
    for (const institutionId of ['ins_109508', 'ins_109511']) {
      const { accessToken, itemId } = await linkItem(client, { institutionId });
      const { data } = await client.accountsGet({ access_token: accessToken });
      const synced = await syncAll(client, accessToken, '', 500);
      await client.transactionsRefresh({ access_token: accessToken });
      const changes = await syncAll(client, accessToken, synced.cursor, 500);
      out.push({ accessToken, itemId, accounts: data.accounts, synced, changes });
    }
    return out;
  }

  it('gives the same ids, accounts, balances and transactions for the same seed', async () => {
    const first = await snapshot('determinism');
    const second = await snapshot('determinism');
    const other = await snapshot('another-seed');
    expect(second).toEqual(first);
    expect(other).not.toEqual(first);
  });
});

describe('Plaid admin routes', () => {
  it('lets a test in another process drive the helpers over HTTP', async () => {
    const plaid = await startEmulator('plaid-admin-seed');
    const admin = Fastify();
    await admin.register(plaid.emulator.admin, { prefix: '/plaid' });
    try {
      const { accessToken, itemId } = await linkItem(plaid.client);
      const synced = await syncAll(plaid.client, accessToken, '', 500);

      const added = await admin.inject({
        method: 'POST',
        url: `/plaid/items/${itemId}/transactions`,
        payload: { count: 4 },
      });
      expect(added.statusCode).toBe(200);
      const activity = await admin.inject({ method: 'POST', url: `/plaid/items/${accessToken}/activity` });
      expect(activity.json()).toMatchObject({ removed: expect.any(Array) });
      const changes = await syncAll(plaid.client, accessToken, synced.cursor, 500);
      expect(changes.added.map((tx) => tx.transaction_id)).toEqual(
        expect.arrayContaining((added.json() as { added: string[] }).added),
      );

      const locked = await admin.inject({ method: 'POST', url: `/plaid/items/${itemId}/login-required` });
      expect(locked.json()).toMatchObject({ error: { error_code: 'ITEM_LOGIN_REQUIRED' } });
      const refused = await plaidErrorOf(plaid.client.accountsGet({ access_token: accessToken }));
      expect(refused.error.error_code).toBe('ITEM_LOGIN_REQUIRED');

      const noWebhook = await admin.inject({
        method: 'POST',
        url: `/plaid/items/${itemId}/webhooks`,
        payload: { webhook_code: 'DEFAULT_UPDATE' },
      });
      expect(noWebhook.json()).toMatchObject({ error_code: 'SANDBOX_WEBHOOK_INVALID' });
      expect((await admin.inject({ method: 'POST', url: '/plaid/items/nope/activity' })).statusCode).toBe(404);
    } finally {
      await admin.close();
    }
  });
});
