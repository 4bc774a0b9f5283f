import { z } from 'zod';
import { flagSchema, parseEnv, portSchema, serviceEnv, toMinorUnits, type AmountLimits } from '@fintech/kit';

/** Limits of one currency, in major units as decimal strings ("5000.00"), converted exactly at start. */
const currencyLimits = z.object({
  /** Largest single payment. */
  per_payment_max: z.string(),
  /** Largest total of payments in any rolling 24 hours. */
  daily_total_max: z.string(),
  /** Payments strictly above this need a confirmation token. */
  confirmation_threshold: z.string(),
});

const json = <T extends z.ZodType>(schema: T) =>
  z.string().transform((text, ctx): z.infer<T> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      ctx.addIssue({ code: 'custom', message: parsed.error.issues.map((i) => i.message).join('; ') });
      return z.NEVER;
    }
    return parsed.data;
  });

const DEFAULT_LIMITS = JSON.stringify({
  USD: { per_payment_max: '5000.00', daily_total_max: '10000.00', confirmation_threshold: '1000.00' },
  EUR: { per_payment_max: '5000.00', daily_total_max: '10000.00', confirmation_threshold: '1000.00' },
  GBP: { per_payment_max: '4000.00', daily_total_max: '8000.00', confirmation_threshold: '800.00' },
  JPY: { per_payment_max: '750000', daily_total_max: '1500000', confirmation_threshold: '150000' },
});

const DEFAULT_MERCHANTS = JSON.stringify([
  { id: 'merchant_demo_coffee', name: 'Demo Coffee Roasters', stripe_account: 'acct_demo_coffee' },
  { id: 'merchant_demo_books', name: 'Demo Books', stripe_account: 'acct_demo_books' },
]);

export const PaymentsEnv = serviceEnv(
  { schema: 'payments', grpcListen: '127.0.0.1:50053' },
  {
    /** Stripe secret key. The default is a test-mode key for packages/sandbox. */
    STRIPE_SECRET_KEY: z
      .string()
      .regex(/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/)
      .default('sk_test_fintech_sandbox'),
    /** Stripe API base URL; the default is the sandbox's Stripe emulator (`pnpm sandbox`). */
    STRIPE_API_BASE: z.string().url().default('http://127.0.0.1:12111'),
    /** Per-request timeout of Stripe calls. */
    STRIPE_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
    /** A live key (sk_live_…) moves real money: refused unless this second switch is set too. */
    STRIPE_ALLOW_LIVE: flagSchema,
    /** Signing secret (whsec_…) of the Stripe webhook endpoint that points at this service. */
    STRIPE_WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9_]+$/),
    /** Seconds of clock skew tolerated on a webhook signature's timestamp (Stripe's SDK default is 300). */
    STRIPE_WEBHOOK_TOLERANCE_SECONDS: z.coerce.number().int().positive().default(300),
    /** Interface and port of the webhook HTTP endpoint (POST /webhooks/stripe). */
    WEBHOOK_HOST: z.string().default('127.0.0.1'),
    WEBHOOK_PORT: portSchema.default(8788),
    /**
     * Default limits per currency as JSON: {"USD": {"per_payment_max": "5000.00", "daily_total_max": "10000.00",
     * "confirmation_threshold": "1000.00"}, …}. Payments in a currency without limits are refused; the
     * user_limits table overrides these per user.
     */
    PAYMENT_LIMITS: json(z.record(z.string().regex(/^[A-Z]{3}$/), currencyLimits)).default(
      JSON.parse(DEFAULT_LIMITS) as Record<string, z.infer<typeof currencyLimits>>,
    ),
    /** Registered merchants payments may go to, as JSON: [{"id", "name", "stripe_account"}]. Upserted at start. */
    MERCHANTS: json(
      z.array(
        z.object({
          id: z.string().regex(/^[a-z0-9_]{3,64}$/),
          name: z.string().min(1),
          stripe_account: z
            .string()
            .regex(/^acct_[A-Za-z0-9_]+$/)
            .optional(),
        }),
      ),
    ).default(JSON.parse(DEFAULT_MERCHANTS) as { id: string; name: string; stripe_account?: string }[]),
    /** Lifetime of a confirmation token. */
    CONFIRMATION_TTL_SECONDS: z.coerce.number().int().positive().default(300),
    /** A call without idempotency_key repeats an identical call made less than this long ago (decision 010). */
    DERIVED_IDEMPOTENCY_WINDOW_SECONDS: z.coerce.number().int().positive().default(600),
    /** How long an explicit idempotency key and its result are kept (Stripe keeps keys 24 hours). */
    IDEMPOTENCY_RETENTION_SECONDS: z.coerce
      .number()
      .int()
      .positive()
      .default(24 * 3600),
    /**
     * Lease of a call in progress, renewed while it runs. When its process dies, a retry takes the call over once the
     * lease has lapsed. Keep it well above a database round trip and below the callers' deadline.
     */
    IDEMPOTENCY_LEASE_MS: z.coerce.number().int().min(200).default(4_000),
  },
);

export type PaymentsConfig = z.infer<typeof PaymentsEnv>;

export function loadPaymentsConfig(source: NodeJS.ProcessEnv = process.env): PaymentsConfig {
  return parseEnv(PaymentsEnv, source);
}

/** PAYMENT_LIMITS in minor units, converted exactly with each currency's exponent (more digits are refused). */
export function defaultLimits(config: PaymentsConfig): Map<string, AmountLimits> {
  const limits = new Map<string, AmountLimits>();
  for (const [currency, value] of Object.entries(config.PAYMENT_LIMITS)) {
    const minor = (amount: string, name: string) =>
      toMinorUnits(amount, currency, { field: `PAYMENT_LIMITS.${currency}.${name}` });
    limits.set(currency, {
      perOperationMax: minor(value.per_payment_max, 'per_payment_max'),
      rollingTotalMax: minor(value.daily_total_max, 'daily_total_max'),
      confirmationThreshold: minor(value.confirmation_threshold, 'confirmation_threshold'),
    });
  }
  return limits;
}
