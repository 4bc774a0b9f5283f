import type { paymentsV1 } from '@fintech/contracts';
import type { PaymentsDeps } from '../deps';
import { listPayments } from '../db/payment-repository';
import { decodeCursor, encodeCursor, parseDateRange } from '../domain/history-cursor';
import { paymentView } from '../domain/views';

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
    const after = request.cursor ? decodeCursor(request.cursor) : null;
    const { payments, merchants } = await listPayments(deps.prisma, { userId, from, until, after, take: limit + 1 });
    const page = payments.slice(0, limit);
    const last = page[page.length - 1];
    const hasMore = payments.length > limit;
    return {
      payments: page.map((p) => paymentView(p, merchants.get(p.destinationId))),
      page: {
        has_more: hasMore,
        next_cursor: hasMore && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : '',
      },
    };
  };
}
