import { randomUUID } from 'node:crypto';
import { subjects, type MethodAdded, type paymentsV1 } from '@fintech/contracts';
import {
  PermissionDeniedError,
  sha256Hex,
  ValidationError,
  type AuthenticatedContext,
  bearerToken,
  clientInfo,
} from '@fintech/kit';
import { emit, type PaymentsDeps } from '../deps';

import { ensureCustomer } from '../db/customers';
import { StepUpRequiredError } from '../domain/errors';
import { methodView } from './views';

const PAYMENT_TOKEN = /^pm_[A-Za-z0-9_]{1,100}$/;
const MFA_CODE = /^[0-9]{6}$/;

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
    if (request.mfa_code !== '' && !MFA_CODE.test(request.mfa_code)) {
      throw new ValidationError('mfa_code must be 6 digits', 'mfa_code');
    }

    // Step-up (ARCHITECTURE.md, "Safety for agents"): the auth service checks the code on the caller's own internal
    // token, so this service never sees the TOTP secret and cannot check a code for anyone but the caller.
    const token = bearerToken(context.metadata);
    if (!token) throw new PermissionDeniedError('the caller token is needed for the step-up check');
    const stepUp = await deps.auth.verifyStepUp({ user_id: userId, code: request.mfa_code }, { token });
    if (stepUp.mfa_enrolled && !stepUp.verified) throw new StepUpRequiredError(request.mfa_code !== '');

    const customerId = await ensureCustomer(deps, userId);
    // The same token saved twice by the same user is the same SetupIntent at Stripe, hence the same method here.
    const card = await deps.stripe.saveCard({
      customerId,
      paymentToken: request.payment_token,
      idempotencyKey: `setup-${sha256Hex(`${userId}\u0000${request.payment_token}`).slice(0, 40)}`,
    });
    const client = clientInfo(context.metadata);

    const { method, added } = await deps.prisma.$transaction(async (tx) => {
      // One writer of a user's methods at a time, so two adds cannot both become the default.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`payment-methods:${userId}`}))`;
      const existing = await tx.paymentMethod.findUnique({
        where: { stripePaymentMethodId: card.stripePaymentMethodId },
      });
      if (existing && existing.userId === userId) return { method: existing, added: false };
      if (existing) throw new ValidationError('payment_token belongs to another customer', 'payment_token');
      const count = await tx.paymentMethod.count({ where: { userId } });
      const isDefault = request.set_default || count === 0;
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
          createdAt: deps.now(),
        },
      });
      await emit(tx, [
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
            step_up_verified: stepUp.verified,
            client,
          } satisfies MethodAdded,
        },
      ]);
      return { method: created, added: true };
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
