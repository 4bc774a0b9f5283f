import { randomUUID } from 'node:crypto';
import { subjects, type ClientInfo, type MethodAdded } from '@fintech/contracts';
import { recordEvents, ValidationError } from '@fintech/kit';
import type { SavedCard } from '../adapters/stripe';
import type { PaymentMethod, PrismaClient } from '../generated/prisma/client';

/**
 * Records a card saved at the provider as a method of the user, with its `payment.method_added` event, once: the same
 * card saved again by the same user is the method already recorded (`added` false). The first method, or one asked
 * to be, becomes the default.
 */
export async function recordMethod(
  prisma: PrismaClient,
  input: {
    userId: string;
    card: SavedCard;
    setDefault: boolean;
    stepUpVerified: boolean;
    client: ClientInfo;
    now: Date;
  },
): Promise<{ method: PaymentMethod; added: boolean }> {
  const { userId, card } = input;
  return prisma.$transaction(async (tx) => {
    // One writer of a user's methods at a time, so two adds cannot both become the default.
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`payment-methods:${userId}`}))`;
    const existing = await tx.paymentMethod.findUnique({
      where: { stripePaymentMethodId: card.stripePaymentMethodId },
    });
    if (existing && existing.userId === userId) return { method: existing, added: false };
    if (existing) throw new ValidationError('payment_token belongs to another customer', 'payment_token');
    const count = await tx.paymentMethod.count({ where: { userId } });
    const isDefault = input.setDefault || count === 0;
    if (isDefault) await tx.paymentMethod.updateMany({ where: { userId }, data: { isDefault: false } });
    const created = await tx.paymentMethod.create({
      data: {
        id: randomUUID(),
        userId,
        stripePaymentMethodId: card.stripePaymentMethodId,
        brand: card.brand,
        last4: card.last4,
        expMonth: card.expMonth,
        expYear: card.expYear,
        fingerprint: card.fingerprint,
        isDefault,
        createdAt: input.now,
      },
    });
    await recordEvents(tx, [
      {
        type: subjects.payments.methodAdded,
        userId,
        data: {
          method_id: created.id,
          user_id: userId,
          fingerprint: created.fingerprint,
          brand: created.brand,
          last4: created.last4,
          exp_month: created.expMonth,
          exp_year: created.expYear,
          is_default: created.isDefault,
          step_up_verified: input.stepUpVerified,
          client: input.client,
        } satisfies MethodAdded,
      },
    ]);
    return { method: created, added: true };
  });
}
