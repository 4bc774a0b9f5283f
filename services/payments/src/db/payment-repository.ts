import type { Prisma, Merchant, PaymentMethod, PrismaClient, Refund } from '../generated/prisma/client';
import type { PaymentWithMethod } from '../domain/payment-state';
import { isUuid } from '../domain/uuid';

/**
 * The read side of payments and methods, on Prisma (docs/decisions/018-payments-persistence-and-payees.md): typed
 * queries that run once per read, where Prisma's per-statement cost does not matter. Ownership is part of every
 * query, so another user's id finds nothing.
 */

/** A payment of this user (or of anyone when `userId` is null: a caller allowed to read any user's), or null. */
export async function findPayment(
  prisma: PrismaClient,
  paymentId: string,
  userId: string | null,
): Promise<(PaymentWithMethod & { refunds: Refund[]; merchant: Merchant | null }) | null> {
  if (!isUuid(paymentId)) return null;
  const payment = await prisma.payment.findFirst({
    where: { id: paymentId, ...(userId === null ? {} : { userId }) },
    include: { paymentMethod: true, refunds: { orderBy: { createdAt: 'asc' } } },
  });
  if (!payment) return null;
  const merchant =
    payment.destinationType === 'merchant'
      ? await prisma.merchant.findUnique({ where: { id: payment.destinationId } })
      : null;
  return { ...payment, merchant };
}

/** A page of a user's payments, newest first, with the merchants they went to. */
export async function listPayments(
  prisma: PrismaClient,
  input: {
    userId: string;
    from: Date | null;
    until: Date | null;
    /** The last payment of the previous page. */
    after: { createdAt: Date; id: string } | null;
    take: number;
  },
): Promise<{ payments: PaymentWithMethod[]; merchants: Map<string, Merchant> }> {
  const { from, until, after } = input;
  const where: Prisma.PaymentWhereInput = {
    userId: input.userId,
    ...(from || until ? { createdAt: { ...(from ? { gte: from } : {}), ...(until ? { lt: until } : {}) } } : {}),
    // Keyset pagination in (created_at desc, id desc): stable while new payments arrive.
    ...(after
      ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }
      : {}),
  };
  const payments = await prisma.payment.findMany({
    where,
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.take,
    include: { paymentMethod: true },
  });
  const merchantIds = [
    ...new Set(payments.filter((p) => p.destinationType === 'merchant').map((p) => p.destinationId)),
  ];
  const merchants = new Map(
    (await prisma.merchant.findMany({ where: { id: { in: merchantIds } } })).map((m) => [m.id, m]),
  );
  return { payments, merchants };
}

/** A user's payment methods, the default first. */
export async function listMethods(prisma: PrismaClient, userId: string): Promise<PaymentMethod[]> {
  return prisma.paymentMethod.findMany({ where: { userId }, orderBy: [{ isDefault: 'desc' }, { createdAt: 'asc' }] });
}
