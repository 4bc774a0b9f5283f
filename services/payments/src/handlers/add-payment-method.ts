import type { paymentsV1 } from '@fintech/contracts';
import {
  PermissionDeniedError,
  requireStepUp,
  sha256Hex,
  ValidationError,
  type AuthenticatedContext,
  clientInfo,
} from '@fintech/kit';
import type { PaymentsDeps } from '../deps';
import { findCustomerId, recordCustomer } from '../db/customers';
import { recordMethod } from '../db/payment-methods';
import { methodView } from '../domain/views';

const PAYMENT_TOKEN = /^pm_[A-Za-z0-9_]{1,100}$/;

export function createAddPaymentMethod(deps: PaymentsDeps) {
  return async function addPaymentMethod(
    request: paymentsV1.AddPaymentMethodRequest,
    context: AuthenticatedContext,
  ): Promise<paymentsV1.AddPaymentMethodResponse> {
    // The kit resolved user_id ("me" → the caller) and checked ownership before this handler ran.
    const userId = request.user_id;
    if (userId !== context.caller.userId) throw new PermissionDeniedError('payment methods are added by their owner');
    if (!PAYMENT_TOKEN.test(request.payment_token)) {
      throw new ValidationError('payment_token must be a provider token such as pm_card_visa', 'payment_token');
    }
    // Step-up (ARCHITECTURE.md, "Safety for agents"; docs/decisions/011): checked by the auth service on the
    // caller's own token.
    const stepUp = await requireStepUp(deps.auth, {
      userId,
      code: request.mfa_code,
      metadata: context.metadata,
      action: 'adding a payment method',
    });

    // The user's Stripe customer, created on first use (docs/decisions/012).
    const customerId =
      (await findCustomerId(deps.prisma, userId)) ??
      (await recordCustomer(deps.prisma, userId, await deps.stripe.createCustomer(userId)));
    // The same token saved twice by the same user is the same SetupIntent at Stripe, hence the same method here.
    const card = await deps.stripe.saveCard({
      customerId,
      paymentToken: request.payment_token,
      idempotencyKey: `setup-${sha256Hex(`${userId}\u0000${request.payment_token}`).slice(0, 40)}`,
    });
    const { method, added } = await recordMethod(deps.prisma, {
      userId,
      card,
      setDefault: request.set_default,
      stepUpVerified: stepUp.verified,
      client: clientInfo(context.metadata),
      now: deps.now(),
    });
    if (added) deps.eventsCommitted();
    if (added && method.isDefault) {
      // The customer's default at Stripe follows ours; a failure here changes nothing we rely on.
      await deps.stripe.setDefaultPaymentMethod(customerId, method.stripePaymentMethodId).catch((err: unknown) => {
        deps.logger.warn({ err, userId }, 'could not set the default payment method at the provider');
      });
    }
    return { method: methodView(method) };
  };
}
