import type { paymentsV1 } from '@fintech/contracts';
import { requireScopes, resolveUserId, type AuthenticatedContext } from '@fintech/kit';
import type { PaymentsDeps } from '../deps';
import { listPayments } from '../db/payment-repository';
import { decodeCursor, encodeCursor, parseDateRange } from '../domain/history-cursor';
import { paymentView } from '../domain/views';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export function createGetPaymentHistory(deps: PaymentsDeps) {
  return async function getPaymentHistory(
    request: paymentsV1.GetPaymentHistoryRequest,
    context: AuthenticatedContext,
  ): Promise<paymentsV1.GetPaymentHistoryResponse> {
    requireScopes(context.caller, ['payments:read']);
    const userId = resolveUserId(context.caller, request.user_id, 'read');
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
