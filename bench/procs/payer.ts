import { randomUUID } from 'node:crypto';
import { paymentsV1 } from '@fintech/contracts';
import { createServiceClient, type CallOptions, type ClientHandle } from '@fintech/kit';
import { serveParent } from '../lib/child';
import { quantile, sortedCopy } from '../lib/stats';

/**
 * Initiates payments through the payments service's gRPC API at a fixed rate (open loop: a call is sent on schedule
 * whether or not earlier ones have been answered, up to a bound of calls in flight), as many users.
 */
type Client = paymentsV1.PaymentsServiceClient<CallOptions> & ClientHandle;

interface Payer {
  token: string;
  methodId: string;
}

let client: Client | null = null;
const payers: Payer[] = [];

export interface PayResult {
  scheduled: number;
  sent: number;
  succeeded: number;
  failed: number;
  /** Calls not sent because the bound of calls in flight was reached (the service fell behind). */
  skipped: number;
  seconds: number;
  p50: number;
  p99: number;
  firstError?: string;
  statuses: Record<string, number>;
}

serveParent(
  {},
  {
    /** Saves a card (the sandbox's pm_card_visa) for every user. */
    async setup({ address, tokens }: { address: string; tokens: string[] }) {
      client = createServiceClient<Client>(paymentsV1.PaymentsServiceDefinition, { address, deadlineMs: 10_000 });
      for (const token of tokens) {
        const added = await client.addPaymentMethod({ user_id: 'me', payment_token: 'pm_card_visa' }, { token });
        payers.push({ token, methodId: added.method!.method_id });
      }
    },
    async run({ rate, durationMs, maxInFlight }: { rate: number; durationMs: number; maxInFlight: number }) {
      if (!client) throw new Error('setup first');
      const latencies: number[] = [];
      const statuses: Record<string, number> = {};
      let scheduled = 0;
      let sent = 0;
      let succeeded = 0;
      let failed = 0;
      let skipped = 0;
      let inFlight = 0;
      let firstError: string | undefined;
      const pending = new Set<Promise<void>>();
      const started = performance.now();
      const pay = (payer: Payer) => {
        sent++;
        inFlight++;
        const t0 = performance.now();
        const call = client!
          .initiatePayment(
            {
              source_id: payer.methodId,
              destination_id: 'merchant_demo_coffee',
              amount: '1.00',
              currency: 'USD',
              description: 'bench',
              idempotency_key: randomUUID(),
              confirmation_token: '',
            },
            { token: payer.token },
          )
          .then(
            (response) => {
              latencies.push(performance.now() - t0);
              statuses[response.status] = (statuses[response.status] ?? 0) + 1;
              succeeded++;
            },
            (error: Error) => {
              failed++;
              firstError ??= error.message;
            },
          )
          .finally(() => {
            inFlight--;
            pending.delete(call);
          });
        pending.add(call);
      };
      // Calls are released every 5 ms in the number the schedule owes by then, so the rate holds without a timer
      // per call.
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          const elapsed = performance.now() - started;
          const due = Math.min(Math.floor((elapsed / 1000) * rate), Math.floor((durationMs / 1000) * rate));
          while (scheduled < due) {
            scheduled++;
            if (inFlight >= maxInFlight) skipped++;
            else pay(payers[scheduled % payers.length]!);
          }
          if (elapsed >= durationMs) {
            clearInterval(timer);
            resolve();
          }
        }, 5);
      });
      await Promise.all(pending);
      const sorted = sortedCopy(latencies);
      return {
        scheduled,
        sent,
        succeeded,
        failed,
        skipped,
        seconds: durationMs / 1000,
        p50: quantile(sorted, 0.5),
        p99: quantile(sorted, 0.99),
        statuses,
        ...(firstError !== undefined && { firstError }),
      } satisfies PayResult;
    },
  },
  async () => client?.close(),
);
