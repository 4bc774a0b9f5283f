import type { paymentsV1 } from '@fintech/contracts';
import type { PaymentsDeps } from '../deps';
import { decodeCursor, encodeCursor, parseDateRange } from '../domain/history-cursor';
import type { Prisma } from '../generated/prisma/client';
import { paymentView } from './views';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function createGetPaymentHistory(deps: PaymentsDeps) {
  return async function getPaymentHistory(
    request: paymentsV1.GetPaymentHistoryRequest,
  ): Promise<paymentsV1.GetPaymentHistoryResponse> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    const { from, until } = parseDateRange(request.start_date, request.end_date);
    const limit = Math.min(Math.max(request.limit || DEFAULT_LIMIT, 1), MAX_LIMIT);
    const cursor = request.cursor ? decodeCursor(request.cursor) : null;

    const where: Prisma.PaymentWhereInput = {
      userId,
      ...(from || until ? { createdAt: { ...(from ? { gte: from } : {}), ...(until ? { lt: until } : {}) } } : {}),
      // Keyset pagination in (created_at desc, id desc): stable while new payments arrive.
      ...(cursor
        ? {
            OR: [{ createdAt: { lt: cursor.createdAt } }, { createdAt: cursor.createdAt, id: { lt: cursor.id } }],
          }
        : {}),
    };
    const rows = await deps.prisma.payment.findMany({
      where,
      orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      take: limit + 1,
      include: { paymentMethod: true },
    });
    const page = rows.slice(0, limit);
    const merchantIds = [...new Set(page.filter((p) => p.destinationType === 'merchant').map((p) => p.destinationId))];
    const merchants = new Map(
      (await deps.prisma.merchant.findMany({ where: { id: { in: merchantIds } } })).map((m) => [m.id, m]),
    );
    const last = page[page.length - 1];
    const hasMore = rows.length > limit;
    return {
      payments: page.map((p) => paymentView(p, merchants.get(p.destinationId))),
      page: {
        has_more: hasMore,
        next_cursor: hasMore && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : '',
      },
    };
  };
}
