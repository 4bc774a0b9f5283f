import type { PaymentsDeps } from '../deps';

/**
 * The user's Stripe customer, created on first use. Two first uses racing both ask Stripe with the same
 * Idempotency-Key (one customer per user) and the insert keeps whichever row lands first.
 */
export async function ensureCustomer(deps: PaymentsDeps, userId: string): Promise<string> {
  const existing = await deps.prisma.customer.findUnique({ where: { userId } });
  if (existing) return existing.stripeCustomerId;
  const stripeCustomerId = await deps.stripe.createCustomer(userId);
  await deps.prisma.customer.createMany({ data: [{ userId, stripeCustomerId }], skipDuplicates: true });
  const row = await deps.prisma.customer.findUniqueOrThrow({ where: { userId } });
  return row.stripeCustomerId;
}
