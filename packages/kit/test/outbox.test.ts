import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Pool } from 'pg';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createPool, dropSchema, migrateServiceSchema } from '../src/index';
import type { EventEnvelope, OutboxRelay, PublishedEvent } from '../src/index';
import {
  connectNats,
  createEvent,
  createOutboxRelay,
  enqueueEvents,
  ensureStream,
  jetstream,
  jetstreamManager,
} from '../src/index';

const connectionString = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const natsUrl = process.env.NATS_URL ?? '127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

let root: string;
let shared: NatsConnection;
const cleanups: (() => Promise<unknown>)[] = [];

async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  timeoutMs = 15_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Fixture {
  schema: string;
  pool: Pool;
  domain: string;
  stream: string;
}

let fixtures = 0;

/** A fresh schema with the outbox tables, and a fresh stream for the fixture's own domain. */
async function fixture(nc: NatsConnection): Promise<Fixture> {
  fixtures += 1;
  const schema = `kit_outbox_${suffix}_${fixtures}`;
  const domain = `o${suffix}${fixtures}`;
  const stream = `FINTECH_${domain.toUpperCase()}`;
  await migrateServiceSchema({ connectionString, schema });
  const pool = createPool({ connectionString, schema, max: 4 });
  cleanups.push(async () => {
    await pool.end();
    await dropSchema(connectionString, schema);
  });
  await ensureStream(nc, { name: stream, subjects: [`fintech.${domain}.>`] });
  cleanups.push(async () => (await jetstreamManager(nc)).streams.delete(stream).catch(() => undefined));
  return { schema, pool, domain, stream };
}

async function commitEvents(f: Fixture, count: number): Promise<EventEnvelope[]> {
  const events = Array.from({ length: count }, (_, i) =>
    createEvent({ type: `fintech.${f.domain}.payment.initiated`, userId: 'user-1', data: { n: i } }),
  );
  const client = await f.pool.connect();
  try {
    await client.query('BEGIN');
    await enqueueEvents(client, events);
    await client.query('COMMIT');
  } finally {
    client.release();
  }
  return events;
}

async function unpublished(f: Fixture): Promise<number> {
  const { rows } = await f.pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL',
  );
  return rows[0]?.n ?? -1;
}

/** The event ids stored in the stream, in stream order. */
async function streamEventIds(nc: NatsConnection, stream: string): Promise<string[]> {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.info(stream);
  const ids: string[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
    const msg = await jsm.streams.getMessage(stream, { seq });
    if (msg !== null) ids.push(msg.json<EventEnvelope>().id);
  }
  expect(ids).toHaveLength(info.state.messages);
  return ids;
}

function startRelay(
  f: Fixture,
  nc: NatsConnection,
  extra: Partial<Parameters<typeof createOutboxRelay>[0]> = {},
): OutboxRelay {
  const relay = createOutboxRelay({ pool: f.pool, nats: nc, logger, pollIntervalMs: 50, retryDelayMs: 100, ...extra });
  relay.start();
  cleanups.push(() => relay.stop());
  return relay;
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'kit-outbox-'));
  shared = await connectNats({ servers: natsUrl, name: 'kit-outbox-test' });
});

afterEach(async () => {
  // Relays stop before their pools end.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

afterAll(async () => {
  await shared.close();
  await rm(root, { recursive: true, force: true });
});

describe('ensureStream', () => {
  it('creates a file stream once when replicas race, then updates it in place', async () => {
    const name = `FINTECH_S${suffix.toUpperCase()}`;
    cleanups.push(async () => (await jetstreamManager(shared)).streams.delete(name).catch(() => undefined));
    const created = await Promise.all(
      [0, 1, 2].map(() =>
        ensureStream(shared, { name, subjects: [`fintech.s${suffix}.>`], duplicateWindowMs: 60_000 }),
      ),
    );
    expect(created.map((info) => info.config.storage)).toEqual(['file', 'file', 'file']);
    expect(created[0]?.config.duplicate_window).toBe(60_000 * 1_000_000);

    const updated = await ensureStream(shared, {
      name,
      subjects: [`fintech.s${suffix}.>`, `fintech.t${suffix}.>`],
      denyDelete: true,
      denyPurge: true,
    });
    expect(updated.config.subjects).toEqual([`fintech.s${suffix}.>`, `fintech.t${suffix}.>`]);
    expect(updated.config.deny_delete).toBe(true);
    expect(updated.config.deny_purge).toBe(true);
    expect(updated.config.duplicate_window).toBe(120_000 * 1_000_000);
  });
});

describe('outbox relay', () => {
  it('publishes committed events, and nothing from a rolled-back transaction', async () => {
    const f = await fixture(shared);
    const published: PublishedEvent[] = [];
    const relay = startRelay(f, shared, { onPublished: (events) => published.push(...events) });

    const client = await f.pool.connect();
    try {
      await client.query('BEGIN');
      await enqueueEvents(client, [
        createEvent({ type: `fintech.${f.domain}.payment.initiated`, userId: null, data: {} }),
      ]);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    const events = await commitEvents(f, 3);
    relay.wake();
    await waitFor(async () => (await unpublished(f)) === 0 && published.length === 3, 10_000, 'publication');
    expect(await streamEventIds(shared, f.stream)).toEqual(events.map((e) => e.id));
    const { rows } = await f.pool.query<{ attempts: number; last_error: string | null }>(
      'SELECT attempts, last_error FROM outbox',
    );
    expect(rows).toEqual(events.map(() => ({ attempts: 1, last_error: null })));
  });

  it('drops a row published again after a crash between publish and mark', async () => {
    const f = await fixture(shared);
    const [event] = await commitEvents(f, 1);
    if (event === undefined) throw new Error('no event');
    // What a relay that died after publishing but before marking the row left behind.
    const first = await jetstream(shared).publish(event.type, JSON.stringify(event), { msgID: event.id });
    expect(first.duplicate).toBe(false);

    const published: PublishedEvent[] = [];
    startRelay(f, shared, { onPublished: (events) => published.push(...events) });
    await waitFor(async () => (await unpublished(f)) === 0, 10_000, 'the row to be marked');
    expect(published).toEqual([{ id: event.id, subject: event.type, seq: first.seq, duplicate: true }]);
    expect(await streamEventIds(shared, f.stream)).toEqual([event.id]);
  });

  it('lets two relays share one table without publishing a row twice', async () => {
    const f = await fixture(shared);
    const events = [...(await commitEvents(f, 150)), ...(await commitEvents(f, 150))];
    const byRelay: PublishedEvent[][] = [[], []];
    const secondPool = createPool({ connectionString, schema: f.schema, max: 4 });
    cleanups.push(() => secondPool.end());
    // Small batches and no wake(): the relays rely on polling and contend for rows on every pass.
    startRelay(f, shared, { batchSize: 20, onPublished: (e) => byRelay[0]?.push(...e) });
    startRelay({ ...f, pool: secondPool }, shared, { batchSize: 20, onPublished: (e) => byRelay[1]?.push(...e) });

    await waitFor(async () => (await unpublished(f)) === 0, 20_000, 'all rows to be published');
    const all = byRelay.flat();
    expect(all).toHaveLength(events.length);
    expect(all.filter((p) => p.duplicate)).toEqual([]);
    expect(new Set(all.map((p) => p.id)).size).toBe(events.length);
    const ids = await streamEventIds(shared, f.stream);
    expect(new Set(ids)).toEqual(new Set(events.map((e) => e.id)));
  });

  describe('while NATS is unreachable', () => {
    let port: number;
    let storeDir: string;
    let server: ChildProcess | null = null;

    async function freePort(): Promise<number> {
      return new Promise((resolve, reject) => {
        const srv = createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
          const address = srv.address();
          srv.close(() =>
            typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port')),
          );
        });
      });
    }

    function startServer(): ChildProcess {
      const child = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
        stdio: 'ignore',
      });
      server = child;
      return child;
    }

    async function stopServer(): Promise<void> {
      const child = server;
      server = null;
      if (child === null || child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }

    beforeAll(async () => {
      port = await freePort();
      storeDir = await mkdtemp(join(root, 'nats-'));
    });

    afterAll(async () => {
      await stopServer();
    });

    it('keeps events until NATS is back, then publishes each exactly once', async () => {
      startServer();
      const nc = await connectNats({
        servers: `127.0.0.1:${port}`,
        name: 'kit-outbox-outage',
        reconnectTimeWaitMs: 100,
      });
      cleanups.push(() => nc.close());
      const f = await fixture(nc);
      const relay = startRelay(f, nc, { publishTimeoutMs: 500 });

      const before = await commitEvents(f, 2);
      relay.wake();
      await waitFor(async () => (await unpublished(f)) === 0, 10_000, 'publication before the outage');

      await stopServer();
      const during = await commitEvents(f, 20);
      relay.wake();
      // The relay tries, fails, records the error and keeps the rows.
      await waitFor(
        async () => {
          const { rows } = await f.pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM outbox WHERE published_at IS NULL AND attempts > 0 AND last_error IS NOT NULL',
          );
          return rows[0]?.n === during.length;
        },
        10_000,
        'failed attempts to be recorded',
      );

      startServer();
      await waitFor(async () => (await unpublished(f)) === 0, 20_000, 'publication after the outage');
      const ids = await streamEventIds(nc, f.stream);
      expect(ids).toHaveLength(before.length + during.length);
      expect(new Set(ids)).toEqual(new Set([...before, ...during].map((e) => e.id)));
    });
  });
});
