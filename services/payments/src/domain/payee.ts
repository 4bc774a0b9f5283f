import { ValidationError } from '@fintech/kit';
import type { Merchant } from '../generated/prisma/client';
import { isUuid } from './uuid';

/** Who a payment goes to. */
export interface ResolvedPayee {
  type: 'merchant';
  id: string;
  displayName: string;
  /** Connected account that receives the merchant's funds (Stripe destination charge), if any. */
  stripeAccount: string | null;
}

/**
 * The payee of a payment: a registered merchant (MERCHANTS), the only payee the platform can pay out to
 * (docs/decisions/018-payments-persistence-and-payees.md). A user id is refused with a message that says so, rather
 * than "unknown payee": users have no payout account here. Paying oneself is refused as such.
 */
export function payeeOf(input: {
  destinationId: string;
  payerId: string;
  merchant: Pick<Merchant, 'id' | 'displayName' | 'stripeAccountId'> | null;
}): ResolvedPayee {
  const { merchant, destinationId } = input;
  if (merchant) {
    return {
      type: 'merchant',
      id: merchant.id,
      displayName: merchant.displayName,
      stripeAccount: merchant.stripeAccountId,
    };
  }
  if (isUuid(destinationId)) {
    if (destinationId.toLowerCase() === input.payerId.toLowerCase()) {
      throw new ValidationError('destination_id is yourself; a payment needs another payee', 'destination_id');
    }
    throw new ValidationError(
      'destination_id is a user id; payments go to registered merchants only (users cannot receive payments here)',
      'destination_id',
    );
  }
  throw new ValidationError(
    'destination_id is not a registered merchant; payments go to registered merchants only',
    'destination_id',
  );
}
