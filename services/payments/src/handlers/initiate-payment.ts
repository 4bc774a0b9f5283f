import { randomUUID } from 'node:crypto';
import { subjects, type ClientInfo, type PaymentCreated, type paymentsV1 } from '@fintech/contracts';
import {
  DomainError,
  NotFoundError,
  requireScopes,
  ValidationError,
  type AuthenticatedContext,
  clientInfo,
} from '@fintech/kit';
import { emit, type PaymentsDeps } from '../deps';

import { consumeConfirmation, issueConfirmation } from '../db/confirmations';
import { storedError, type IdempotencyScope } from '../db/idempotency';
import {
  effectiveLimits,
  findOwnedMethod,
  resolvePayee,
  spentSince,
  transitionPayment,
} from '../db/payment-repository';
import { formatMoney, parseCurrency, parsePositiveAmount } from '../domain/amount';
import { requestHash } from '../domain/canonical';
import { PaymentDeclinedError } from '../domain/errors';
import { checkLimits, needsConfirmation } from '../domain/limits';
import { paymentEventFields } from '../events/payment-events';
import { idempotencyScope, providerKey, runIdempotent } from './idempotent-call';
import { paymentView } from './views';

const TOOL = 'initiate_payment';
const DAY_MS = 24 * 3600 * 1000;

interface PaymentArgs {
  source_id: string;
  destination_id: string;
  amount_minor: string;
  currency: string;
  description: string;
}

function readArgs(request: paymentsV1.InitiatePaymentRequest): { args: PaymentArgs; amount: bigint } {
  if (!request.source_id) throw new ValidationError('source_id is required', 'source_id');
  if (!request.destination_id) throw new ValidationError('destination_id is required', 'destination_id');
  if (!request.amount) throw new ValidationError('amount is required', 'amount');
  const currency = parseCurrency(request.currency);
  const amount = parsePositiveAmount(request.amount, currency);
  if (request.description.length > 500) throw new ValidationError('description is too long', 'description');
  return {
    amount,
    args: {
      source_id: request.source_id.toLowerCase(),
      destination_id: request.destination_id,
      amount_minor: amount.toString(),
      currency,
      description: request.description,
    },
  };
}

export function createInitiatePayment(deps: PaymentsDeps) {
  return async function initiatePayment(
    request: paymentsV1.InitiatePaymentRequest,
    context: AuthenticatedContext,
  ): Promise<paymentsV1.InitiatePaymentResponse> {
    requireScopes(context.caller, ['payments:write']);
    const userId = context.caller.userId;
    const { args, amount } = readArgs(request);
    const argsHash = requestHash(TOOL, { ...args });
    const scope = idempotencyScope(deps, { userId, tool: TOOL, key: request.idempotency_key, requestHash: argsHash });
    const client = clientInfo(context.metadata);

    return runIdempotent(deps, scope, context.deadline, async (resumeId) => {
      let paymentId = resumeId;
      if (paymentId === null) {
        const prepared = await preparePayment(deps, {
          userId,
          args,
          amount,
          argsHash,
          scope,
          confirmationToken: request.confirmation_token,
          client,
        });
        if (prepared.kind === 'confirmation_required') return prepared.response;
        paymentId = prepared.paymentId;
      }
      return executePayment(deps, scope, paymentId, client);
    });
  };
}

type Prepared =
  | { kind: 'created'; paymentId: string }
  | { kind: 'confirmation_required'; response: paymentsV1.InitiatePaymentResponse };

/**
 * Checks and records the payment before anything reaches the provider, in one transaction serialised per user: the
 * source and payee, the limits (against the payments of the last 24 hours, so two concurrent payments cannot both
 * fit under the same remainder), the confirmation step; then the payment row (pending), its link to the idempotency
 * record and the payment.created event.
 */
async function preparePayment(
  deps: PaymentsDeps,
  input: {
    userId: string;
    args: PaymentArgs;
    amount: bigint;
    argsHash: string;
    scope: IdempotencyScope;
    confirmationToken: string;
    client: ClientInfo;
  },
): Promise<Prepared> {
  const { userId, args, amount, scope, client } = input;
  const now = deps.now();
  const outcome = await deps.prisma.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`payments:${userId}`}))`;
    const method = await findOwnedMethod(tx, userId, args.source_id);
    if (!method) {
      throw new DomainError('NOT_FOUND', 'source_id is not one of your payment methods', { field: 'source_id' });
    }
    const payee = await resolvePayee(tx, args.destination_id, userId);
    const limits = await effectiveLimits(tx, userId, args.currency, deps.defaultLimits);
    if (!limits) {
      throw new ValidationError(`payments in ${args.currency} are not enabled for your account`, 'currency');
    }
    const spent = await spentSince(tx, userId, args.currency, new Date(now.getTime() - DAY_MS));
    checkLimits({ amount, currency: args.currency, limits, spentLast24h: spent });
    if (needsConfirmation(amount, limits)) {
      if (!input.confirmationToken) {
        return { kind: 'confirm' as const, threshold: limits.confirmationThreshold, payee };
      }
      await consumeConfirmation(tx, {
        token: input.confirmationToken,
        userId,
        tool: TOOL,
        argsHash: input.argsHash,
        now,
      });
    }
    const paymentId = randomUUID();
    const payment = await tx.payment.create({
      data: {
        id: paymentId,
        userId,
        paymentMethodId: method.id,
        destinationType: payee.type,
        destinationId: payee.id,
        amountMinor: amount,
        currency: args.currency,
        description: args.description,
        status: 'pending',
        stripeIdempotencyKey: providerKey('pay', scope, paymentId),
        clientIp: client.ip,
        clientUserAgent: client.user_agent,
        createdAt: now,
        updatedAt: now,
      },
      include: { paymentMethod: true },
    });
    await deps.idempotency.attach(tx, scope, paymentId);
    await emit(tx, [
      {
        type: subjects.payments.paymentCreated,
        userId,
        data: { ...paymentEventFields(payment, client), description: payment.description } satisfies PaymentCreated,
      },
    ]);
    return { kind: 'created' as const, paymentId };
  });

  if (outcome.kind === 'created') {
    deps.eventsCommitted();
    return outcome;
  }
  const issued = await issueConfirmation(deps.prisma, {
    userId,
    tool: TOOL,
    argsHash: input.argsHash,
    now,
    ttlSeconds: deps.config.CONFIRMATION_TTL_SECONDS,
  });
  const payeeName = outcome.payee.displayName || `user ${outcome.payee.id}`;
  return {
    kind: 'confirmation_required',
    response: {
      status: 'confirmation_required',
      payment: null,
      confirmation_token: issued.token,
      confirmation_expires_at: issued.expiresAt.toISOString(),
      message:
        `Nothing was charged: ${formatMoney(amount, args.currency)} to ${payeeName} is above your confirmation ` +
        `threshold of ${formatMoney(outcome.threshold, args.currency)}. After the user agrees, repeat the same call ` +
        `with confirmation_token (valid until ${issued.expiresAt.toISOString()}, single use).`,
    },
  };
}

/**
 * Sends the payment to Stripe (create + confirm with the saved method, under the payment's own Idempotency-Key, so
 * a repeat after a crash returns the same PaymentIntent) and records the result, the event and the idempotent
 * outcome in one transaction.
 */
async function executePayment(
  deps: PaymentsDeps,
  scope: IdempotencyScope,
  paymentId: string,
  client: ClientInfo,
): Promise<paymentsV1.InitiatePaymentResponse> {
  const payment = await deps.prisma.payment.findUnique({ where: { id: paymentId }, include: { paymentMethod: true } });
  if (!payment) throw new NotFoundError('payment not found');
  const customer = await deps.prisma.customer.findUniqueOrThrow({ where: { userId: payment.userId } });
  const merchant =
    payment.destinationType === 'merchant'
      ? await deps.prisma.merchant.findUnique({ where: { id: payment.destinationId } })
      : null;

  const result =
    payment.status === 'pending'
      ? await deps.stripe.createPayment({
          amountMinor: payment.amountMinor,
          currency: payment.currency,
          customerId: customer.stripeCustomerId,
          stripePaymentMethodId: payment.paymentMethod.stripePaymentMethodId,
          description: payment.description,
          destinationAccount: merchant?.stripeAccountId ?? null,
          metadata: {
            payment_id: payment.id,
            user_id: payment.userId,
            destination_type: payment.destinationType,
            destination_id: payment.destinationId,
          },
          idempotencyKey: payment.stripeIdempotencyKey,
        })
      : null;

  const now = deps.now();
  const { response, failure } = await deps.prisma.$transaction(async (tx) => {
    if (result) {
      const context = { now, client };
      switch (result.kind) {
        case 'succeeded':
          await transitionPayment(
            tx,
            paymentId,
            { status: 'succeeded', stripePaymentIntentId: result.paymentIntentId },
            context,
          );
          break;
        case 'requires_action':
          await transitionPayment(
            tx,
            paymentId,
            { status: 'requires_action', stripePaymentIntentId: result.paymentIntentId },
            context,
          );
          break;
        case 'processing':
          await tx.payment.updateMany({
            where: { id: paymentId, stripePaymentIntentId: null },
            data: { stripePaymentIntentId: result.paymentIntentId },
          });
          break;
        case 'declined':
        case 'rejected':
          await transitionPayment(
            tx,
            paymentId,
            {
              status: 'failed',
              stripePaymentIntentId: result.paymentIntentId,
              failureCode: result.code,
              failureMessage: result.message,
            },
            context,
          );
          break;
      }
    }
    const current = await tx.payment.findUniqueOrThrow({ where: { id: paymentId }, include: { paymentMethod: true } });
    const view = paymentView(current, merchant);
    let failure: DomainError | null = null;
    if (current.status === 'failed') {
      failure =
        result?.kind === 'rejected'
          ? new DomainError('VALIDATION_FAILED', `the provider refused the payment: ${result.message}`, {
              field: result.param === 'amount' ? 'amount' : undefined,
              metadata: { payment_id: paymentId, code: result.code },
            })
          : new PaymentDeclinedError(
              `the payment was declined: ${current.failureMessage ?? 'no reason given'} (${current.failureCode ?? 'declined'})`,
              { payment_id: paymentId, code: current.failureCode ?? 'declined' },
            );
    }
    const response: paymentsV1.InitiatePaymentResponse = {
      status: current.status,
      payment: view,
      confirmation_token: '',
      confirmation_expires_at: '',
      message: describe(current.status, view),
    };
    await deps.idempotency.complete(tx, scope, failure ? storedError(failure) : { ok: response });
    return { response, failure };
  });
  deps.eventsCommitted();
  if (failure) throw failure;
  return response;
}

function describe(status: string, payment: paymentsV1.Payment): string {
  const amount = `${payment.amount_decimal} ${payment.amount?.currency ?? ''}`;
  const payee = payment.destination?.display_name || `user ${payment.destination?.payee_id ?? ''}`;
  switch (status) {
    case 'succeeded':
      return `Paid ${amount} to ${payee} with ${payment.source_display}.`;
    case 'requires_action':
      return `The card issuer asks the cardholder to authenticate this payment of ${amount}; it completes once they do.`;
    default:
      return `The payment of ${amount} to ${payee} is ${status}; read payments://${payment.payment_id}/status for updates.`;
  }
}
