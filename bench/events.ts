import { mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { BenchUser } from './procs/auth-service';
import type { PayResult } from './procs/payer';
import { spawnChild, type Child } from './lib/child';
import { summariseCpuProfile, type ProfileSummary } from './lib/cpu-profile';
import { authEnv, benchSchema, DATABASE_URL, fieldKeys, NATS_URL } from './lib/fleet-env';
import { envList, envNumber, isMain } from './lib/main';
import { diffCpu, machineBusyMs, pidsNamed, snapshotCpu } from './lib/proc-stat';
import { waitForQuietMachine } from './lib/quiet';
import { report } from './lib/results';
import { fmt, fmtInt, markdownTable } from './lib/stats';

/**
 * Scenario 3: payments initiated at a fixed rate through the payments service (Stripe emulated by the sandbox) →
 * outbox → relay → JetStream → a durable consumer. Counts every event of the run on both ends (lost, duplicated) and
 * measures commit-to-consume latency.
 */
const WEBHOOK_SECRET = 'whsec_bench_payments';

interface ConsumerReport {
  consumed: number;
  lost: number;
  duplicated: number;
  foreign: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  spanSeconds: number;
}

interface RateRow {
  rate: number;
  pay: PayResult;
  expected: number;
  unpublished: number;
  consumer: ConsumerReport;
  cpuPerPayment: Record<string, number>;
  otherCores: number;
}

async function outboxIds(db: pg.Client, schema: string): Promise<{ ids: string[]; unpublished: number }> {
  const rows = await db.query<{ id: string; published: boolean }>(
    `SELECT id::text AS id, published_at IS NOT NULL AS published FROM "${schema}".outbox`,
  );
  return { ids: rows.rows.map((r) => r.id), unpublished: rows.rows.filter((r) => !r.published).length };
}

export interface EventsOptions {
  rates?: number[];
  /** Rates of the pipeline-only runs (payments-shaped rows written straight into a table and its outbox). */
  pipelineRates?: number[];
  durationMs?: number;
  users?: number;
}

export async function runEvents(options: EventsOptions = {}): Promise<string> {
  const rates = options.rates ?? envList('BENCH_PAYMENT_RATES', [50, 100, 200, 500]);
  const pipelineRates = options.pipelineRates ?? envList('BENCH_PIPELINE_RATES', [500, 1_000]);
  const durationMs = options.durationMs ?? envNumber('BENCH_EVENTS_DURATION_MS', 10_000);
  const userCount = options.users ?? 50;
  const authSchema = benchSchema('events_auth');
  const paymentsSchema = benchSchema('events_payments');
  const consumerSchema = benchSchema('events_consumer');
  console.log(`events: payments at ${rates.join(', ')}/s for ${durationMs} ms each, ${userCount} payers`);

  const children: Child[] = [];
  const db = new pg.Client({ connectionString: DATABASE_URL });
  await db.connect();
  try {
    const auth = await spawnChild<{ port: number }>('auth-service', {
      env: { ...authEnv(authSchema, fieldKeys()), BENCH_DROP_SCHEMA: '1' },
    });
    children.push(auth);
    const users = await auth.call<BenchUser[]>('users', { count: userCount });
    const sandbox = await spawnChild<{ stripeUrl: string }>('sandbox');
    children.push(sandbox);
    const payments = await spawnChild<{ port: number; webhookUrl: string }>('payments-service', {
      env: {
        DATABASE_URL,
        DATABASE_SCHEMA: paymentsSchema,
        NATS_URL,
        GRPC_LISTEN: '127.0.0.1:0',
        WEBHOOK_PORT: '0',
        AUTH_GRPC_ADDRESS: `127.0.0.1:${auth.info.port}`,
        STRIPE_SECRET_KEY: 'sk_test_bench',
        STRIPE_API_BASE: sandbox.info.stripeUrl,
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        // Past its capacity the service logs every failed payment with its stack; the payer reports the first.
        LOG_LEVEL: 'fatal',
        // The default daily limit (10,000.00 USD per user) would stop a long run: the bench pays 1.00 at a time.
        PAYMENT_LIMITS: JSON.stringify({
          USD: { per_payment_max: '5000.00', daily_total_max: '100000000.00', confirmation_threshold: '1000.00' },
        }),
        BENCH_DROP_SCHEMA: '1',
      },
    });
    children.push(payments);
    await sandbox.call('addWebhook', { url: payments.info.webhookUrl, secret: WEBHOOK_SECRET });
    const consumer = await spawnChild('event-consumer', {
      env: { DATABASE_URL, NATS_URL, CONSUMER_SCHEMA: consumerSchema, CONSUMER_CONCURRENCY: '16' },
    });
    children.push(consumer);
    const payer = await spawnChild('payer');
    children.push(payer);
    await payer.call('setup', {
      address: `127.0.0.1:${payments.info.port}`,
      tokens: users.map((u) => u.internalToken),
    });

    const rows: RateRow[] = [];
    let profile: { rate: number; file: string; summary: ProfileSummary } | undefined;
    const measure = async (input: {
      rate: number;
      outboxSchema: string;
      watched: Record<string, number[]>;
      drive: () => Promise<PayResult>;
    }): Promise<RateRow> => {
      await waitForQuietMachine();
      const before = new Set((await outboxIds(db, input.outboxSchema)).ids);
      const watched = { ...input.watched, postgres: pidsNamed('postgres'), 'nats-server': pidsNamed('nats-server') };
      const cpuBefore = { ...snapshotCpu(watched), machine: new Map([[0, machineBusyMs()]]) };
      const started = Date.now();
      const pay = await input.drive();
      // Every event of the run must arrive: wait (bounded) for the consumer to have them all.
      let outbox = await outboxIds(db, input.outboxSchema);
      let expected = outbox.ids.filter((id) => !before.has(id));
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline && (await consumer.call<number>('count', { expected })) < expected.length) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        outbox = await outboxIds(db, input.outboxSchema);
        expected = outbox.ids.filter((id) => !before.has(id));
      }
      const used = diffCpu(cpuBefore, { ...snapshotCpu(watched), machine: new Map([[0, machineBusyMs()]]) });
      const elapsed = (Date.now() - started) / 1000;
      const ours = Object.entries(used).reduce((sum, [name, ms]) => (name === 'machine' ? sum : sum + ms), 0);
      const otherCores = Math.max(0, ((used.machine ?? 0) - ours) / elapsed / 1000);
      delete used.machine;
      const consumed = await consumer.call<ConsumerReport>('report', { expected });
      const per = Math.max(1, pay.succeeded);
      const cpuPerPayment = Object.fromEntries(Object.entries(used).map(([name, ms]) => [name, ms / per]));
      console.log(
        `  ${input.rate}/s: ${pay.succeeded} paid (${pay.failed} failed, ${pay.skipped} not sent), ${expected.length} events, ${consumed.consumed} consumed, ${consumed.lost} lost, ${consumed.duplicated} duplicated, commit-to-consume p50 ${fmt(consumed.p50, 0)} ms p99 ${fmt(consumed.p99, 0)} ms${pay.firstError ? `, first error: ${pay.firstError}` : ''}`,
      );
      return {
        rate: input.rate,
        pay,
        expected: expected.length,
        unpublished: outbox.unpublished,
        consumer: consumed,
        cpuPerPayment,
        otherCores,
      };
    };

    for (const rate of rates) {
      const profiled = rate === Math.max(...rates);
      const row = await measure({
        rate,
        outboxSchema: paymentsSchema,
        watched: {
          payments: [payments.pid],
          auth: [auth.pid],
          sandbox: [sandbox.pid],
          consumer: [consumer.pid],
          payer: [payer.pid],
        },
        drive: async () => {
          if (profiled) await payments.call('profileStart', { intervalUs: 1_000 });
          const pay = await payer.call<PayResult>('run', { rate, durationMs, maxInFlight: 2_000 });
          if (profiled) {
            const file = join(mkdtempSync(join(tmpdir(), 'payments-prof-')), 'payments.cpuprofile');
            await payments.call('profileStop', { file });
            profile = { rate, file, summary: summariseCpuProfile(file, 15) };
          }
          return pay;
        },
      });
      rows.push(row);
    }

    // The same events path with the payments service taken out: what outbox → relay → JetStream → consumer sustain.
    const pipelineRows: RateRow[] = [];
    const writerSchema = benchSchema('events_outbox');
    const writer = await spawnChild('outbox-writer', { env: { DATABASE_URL, NATS_URL, WRITER_SCHEMA: writerSchema } });
    children.push(writer);
    for (const rate of pipelineRates) {
      pipelineRows.push(
        await measure({
          rate,
          outboxSchema: writerSchema,
          watched: { writer: [writer.pid], consumer: [consumer.pid] },
          drive: async () => ({
            ...(await writer.call<Omit<PayResult, 'p50' | 'p99' | 'sent' | 'statuses'>>('run', {
              rate,
              durationMs,
              maxInFlight: 2_000,
            })),
            sent: 0,
            p50: Number.NaN,
            p99: Number.NaN,
            statuses: {},
          }),
        }),
      );
    }
    return render(rows, pipelineRows, durationMs, userCount, profile);
  } finally {
    for (const child of children.reverse()) await child.stop().catch(() => undefined);
    await db.end();
  }
}

function ratesTable(rows: RateRow[], what: string): string {
  return markdownTable(
    [
      'target /s',
      `${what}/s`,
      `${what} / failed / not sent`,
      'events',
      'consumed',
      'lost',
      'duplicated',
      'events/s consumed',
      'commit→consume p50 / p90 / p99 / max ms',
      'InitiatePayment p50 / p99 ms',
      'other load, cores',
    ],
    rows.map((r) => [
      fmtInt(r.rate),
      fmtInt(r.pay.succeeded / r.pay.seconds),
      `${fmtInt(r.pay.succeeded)} / ${fmtInt(r.pay.failed)} / ${fmtInt(r.pay.skipped)}`,
      fmtInt(r.expected),
      fmtInt(r.consumer.consumed),
      fmtInt(r.consumer.lost),
      fmtInt(r.consumer.duplicated),
      fmtInt(r.consumer.consumed / Math.max(r.consumer.spanSeconds, r.pay.seconds)),
      `${fmt(r.consumer.p50, 0)} / ${fmt(r.consumer.p90, 0)} / ${fmt(r.consumer.p99, 0)} / ${fmt(r.consumer.max, 0)}`,
      `${fmt(r.pay.p50, 1)} / ${fmt(r.pay.p99, 1)}`,
      fmt(r.otherCores),
    ]),
  );
}

function cpuTable(rows: RateRow[]): string {
  return markdownTable(
    ['target /s', ...Object.keys(rows[0]?.cpuPerPayment ?? {}), 'total'],
    rows.map((r) => [
      fmtInt(r.rate),
      ...Object.values(r.cpuPerPayment).map((ms) => fmt(ms, 2)),
      fmt(
        Object.values(r.cpuPerPayment).reduce((a, b) => a + b, 0),
        2,
      ),
    ]),
  );
}

function verdict(row: RateRow | undefined, label: string): string {
  if (!row) return '';
  const met =
    row.pay.succeeded / row.pay.seconds >= 0.99 * row.rate &&
    row.consumer.p99 <= 100 &&
    row.consumer.lost === 0 &&
    row.consumer.duplicated === 0;
  return `Target (${label} at 500/s, commit→consume p99 ≤ 100 ms, nothing lost or duplicated): **${met ? 'met' : 'missed'}** — ${fmtInt(row.pay.succeeded / row.pay.seconds)}/s done, p99 ${fmt(row.consumer.p99, 0)} ms, ${row.consumer.lost} lost, ${row.consumer.duplicated} duplicated.`;
}

/**
 * Whether the machine can do 500 payments/s at all: every process of the path shares its cores, so the CPU of one
 * payment summed over them must stay under cores × 1000 ms / 500. Measured at the highest rate fully paid.
 */
function budget(rows: RateRow[]): string {
  const cores = availableParallelism();
  const allowed = (cores * 1000) / 500;
  const sustained = rows
    .filter((r) => r.pay.succeeded >= 0.99 * r.rate * r.pay.seconds)
    .sort((a, b) => b.rate - a.rate)[0];
  if (!sustained)
    return `CPU budget at 500/s on ${cores} cores: ${fmt(allowed, 1)} ms per payment, all processes together.`;
  const total = Object.values(sustained.cpuPerPayment).reduce((a, b) => a + b, 0);
  const payments = sustained.cpuPerPayment.payments ?? 0;
  return `CPU budget at 500/s on ${cores} cores: ${fmt(allowed, 1)} ms per payment, all processes together. Measured at ${fmtInt(sustained.rate)}/s (the highest rate fully paid): ${fmt(total, 2)} ms, of which ${fmt(payments, 2)} ms in the payments service and ${fmt(total - payments, 2)} ms in the other processes${total > allowed ? ` — ${fmt(total / allowed, 1)}× the budget, so 500/s cannot be reached on this machine` : ''}.`;
}

function render(
  rows: RateRow[],
  pipelineRows: RateRow[],
  durationMs: number,
  users: number,
  profile: { rate: number; file: string; summary: ProfileSummary } | undefined,
): string {
  return [
    `**Through the payments service.** The payments service (its own process; Stripe emulated by the sandbox in another) receives InitiatePayment over gRPC from a load process at a fixed rate for ${durationMs / 1000} s (open loop, ${users} payers paying 1.00 USD to a merchant, at most 2,000 calls in flight, 10 s deadline). Each payment commits payment.created with the payment row and payment.succeeded after the provider call, each into the service's outbox; the service's relay publishes them to JetStream (FINTECH_PAYMENTS); a durable pull consumer built with the kit's createConsumer (explicit ack, effect once per event id through processed_events, 16 at a time) consumes them in another process. Expected events are the run's rows in the service's outbox; "lost" are those whose effect never ran (waiting up to 30 s after the last payment), "duplicated" are effects run twice for one event id. Commit→consume is the consumer's clock when the effect runs minus the envelope's occurred_at (set inside the committing transaction).`,
    '',
    ratesTable(rows, 'paid'),
    '',
    verdict(
      rows.find((r) => r.rate === 500),
      'payments through the service',
    ),
    '',
    'CPU ms per payment, by process (the run and its drain):',
    '',
    cpuTable(rows),
    '',
    budget(rows),
    '',
    `**The events path alone.** The same outbox → relay → JetStream → consumer path with the payments service taken out: a process writes a payments-shaped row and its two events (payment.created, payment.succeeded) into a table and its outbox in one transaction at a fixed rate, and runs the kit's outbox relay (woken on every commit); the consumer is the same. This is what the events pipeline sustains on this machine by itself.`,
    '',
    ratesTable(pipelineRows, 'written'),
    '',
    verdict(
      pipelineRows.find((r) => r.rate === 500),
      'payments-shaped rows through the events path',
    ),
    '',
    'CPU ms per row, by process:',
    '',
    cpuTable(pipelineRows),
    profile ? `\n${renderProfile(profile)}` : '',
  ].join('\n');
}

function renderProfile({ rate, file, summary }: { rate: number; file: string; summary: ProfileSummary }): string {
  return [
    `### Payments service profile at ${rate} payments/s`,
    '',
    `V8 CPU profile of the payments service process over the paying window (1 ms sampling): ${fmt(summary.busyMs, 0)} ms busy of ${fmt(summary.totalMs, 0)} ms sampled. File: \`${file}\`.`,
    '',
    markdownTable(
      ['self ms', 'share', 'code'],
      summary.packages.map((p) => [fmt(p.selfMs, 0), `${fmt(p.share * 100, 1)}%`, p.name]),
    ),
    '',
    markdownTable(
      ['self ms', 'share', 'function', 'where'],
      summary.frames.map((f) => [fmt(f.selfMs, 0), `${fmt(f.share * 100, 1)}%`, f.name, f.where]),
    ),
  ].join('\n');
}

if (isMain(import.meta.url)) {
  const text = await runEvents();
  report('Payment events', text);
}
