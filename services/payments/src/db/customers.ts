import type { PrismaClient } from '../generated/prisma/client';

/** The user's Stripe customer id, or null before their first payment method. */
export async function findCustomerId(prisma: PrismaClient, userId: string): Promise<string | null> {
  const row = await prisma.customer.findUnique({ where: { userId } });
  return row?.stripeCustomerId ?? null;
}

/**
 * Records the user's Stripe customer unless one is recorded already, and returns the one that is: two first uses
 * racing keep whichever row lands first (both asked Stripe with the same Idempotency-Key, so it is the same customer).
 */
export async function recordCustomer(prisma: PrismaClient, userId: string, stripeCustomerId: string): Promise<string> {
  await prisma.customer.createMany({ data: [{ userId, stripeCustomerId }], skipDuplicates: true });
  const row = await prisma.customer.findUniqueOrThrow({ where: { userId } });
  return row.stripeCustomerId;
}
