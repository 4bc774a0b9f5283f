import { randomUUID } from 'node:crypto';
import { subjects, type ClientInfo, type PaymentCreated, type paymentsV1 } from '@fintech/contracts';
import {
  argumentsHash,
  checkAmountLimits,
  combineLimits,
  DomainError,
  needsConfirmation,
  NotFoundError,
  providerIdempotencyKey,
  ROLLING_WINDOW_MS,
  storedError,
  ValidationError,
  type AuthenticatedContext,
  type IdempotencyScope,
  clientInfo,
} from '@fintech/kit';
import type { PaymentsDeps } from '../deps';
import type { IntentOutcome } from '../adapters/stripe';
import {
  insertPendingPayment,
  loadPaymentForExecution,
  lockPayer,
  readPaymentContext,
  settlePayment,
  type PaymentForExecution,
} from '../db/payment-sql';
import { withTransaction } from '../db/sql';
import { formatMoney, parseCurrency, parsePositiveAmount } from '../domain/amount';
import { PaymentDeclinedError } from '../domain/errors';
import { PAYMENT_LIMIT_WORDING } from '../domain/limits';
import { payeeOf } from '../domain/payee';
import type { PaymentChange, PaymentWithMethod } from '../domain/payment-state';
import { isUuid } from '../domain/uuid';
import { paymentView } from '../domain/views';
import { paymentEventFields, statusEvent } from '../events/payment-events';

const TOOL = 'initiate_payment';

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
    const userId = context.caller.userId;
    const { args, amount } = readArgs(request);
    // The confirmation token is not an argument (argumentsHash leaves it out): the confirmed repeat of a call is the
    // same call, under the same key (docs/decisions/017).
    const argsHash = argumentsHash(TOOL, { ...args });
    const scope = deps.idempotency.scope({ userId, tool: TOOL, key: request.idempotency_key, requestHash: argsHash });
    const client = clientInfo(context.metadata);

    return deps.idempotency.run(scope, context.deadline, async (resumeId) => {
      let paymentId = resumeId;
      let prepared: PaymentForExecution | null = null;
      if (paymentId === null) {
        const created = await preparePayment(deps, {
          userId,
          args,
          amount,
          argsHash,
          scope,
          confirmationToken: request.confirmation_token,
          client,
        });
        if (created.kind === 'confirmation_required') return created.response;
        prepared = created.execution;
        paymentId = prepared.payment.id;
      }
      return executePayment(deps, scope, paymentId, prepared, client);
    });
  };
}

type Prepared =
  | { kind: 'created'; execution: PaymentForExecution }
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
  const outcome = await withTransaction(deps.pool, async (tx) => {
    await lockPayer(tx, userId);
    const context = await readPaymentContext(tx, {
      userId,
      methodId: isUuid(args.source_id) ? args.source_id : null,
      destinationId: args.destination_id,
      currency: args.currency,
      since: new Date(now.getTime() - ROLLING_WINDOW_MS),
    });
    const method = context.method;
    if (!method) {
      throw new DomainError('NOT_FOUND', 'source_id is not one of your payment methods', { field: 'source_id' });
    }
    const payee = payeeOf({ destinationId: args.destination_id, payerId: userId, merchant: context.merchant });
    const limits = combineLimits(context.ownLimits, deps.defaultLimits.get(args.currency));
    if (!limits) {
      throw new ValidationError(`payments in ${args.currency} are not enabled for your account`, 'currency');
    }
    checkAmountLimits({
      amount,
      currency: args.currency,
      limits,
      spentInWindow: context.spent,
      wording: PAYMENT_LIMIT_WORDING,
    });
    if (needsConfirmation(amount, limits)) {
      if (!input.confirmationToken) {
        return { kind: 'confirm' as const, threshold: limits.confirmationThreshold, payee };
      }
      await deps.confirmations.consume(tx, input.confirmationToken, { userId, tool: TOOL, argsHash: input.argsHash });
    }
    const paymentId = randomUUID();
    const payment: PaymentWithMethod = {
      id: paymentId,
      userId,
      paymentMethodId: method.id,
      destinationType: payee.type,
      destinationId: payee.id,
      amountMinor: amount,
      currency: args.currency,
      description: args.description,
      status: 'pending',
      refundedMinor: 0n,
      disputed: false,
      failureCode: null,
      failureMessage: null,
      stripePaymentIntentId: null,
      stripeIdempotencyKey: providerIdempotencyKey('pay', scope, paymentId),
      clientIp: client.ip,
      clientUserAgent: client.user_agent,
      createdAt: now,
      updatedAt: now,
      paymentMethod: method,
    };
    await insertPendingPayment(tx, {
      payment,
      scope,
      event: {
        type: subjects.payments.paymentCreated,
        userId,
        data: { ...paymentEventFields(payment, client), description: payment.description } satisfies PaymentCreated,
      },
    });
    const execution: PaymentForExecution = {
      payment,
      stripeCustomerId: context.payerCustomerId,
      merchant: context.merchant,
    };
    return { kind: 'created' as const, execution };
  });

  if (outcome.kind === 'created') {
    deps.eventsCommitted();
    return outcome;
  }
  const issued = await deps.confirmations.issue({ userId, tool: TOOL, argsHash: input.argsHash });
  const payeeName = outcome.payee.displayName || outcome.payee.id;
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

function changeOf(result: IntentOutcome): PaymentChange {
  switch (result.kind) {
    case 'succeeded':
    case 'requires_action':
      return { status: result.kind, stripePaymentIntentId: result.paymentIntentId };
    case 'processing':
      return { status: null, stripePaymentIntentId: result.paymentIntentId };
    case 'declined':
    case 'rejected':
      return {
        status: 'failed',
        stripePaymentIntentId: result.paymentIntentId,
        failureCode: result.code,
        failureMessage: result.message,
      };
  }
}

/**
 * Sends the payment to Stripe (create + confirm with the saved method, under the payment's own Idempotency-Key, so
 * a repeat after a crash returns the same PaymentIntent) and records the result, the event and the idempotent
 * outcome in one transaction. `prepared` is the payment just created by this call; a call resuming one created by a
 * crashed call reads it back.
 */
async function executePayment(
  deps: PaymentsDeps,
  scope: IdempotencyScope,
  paymentId: string,
  prepared: PaymentForExecution | null,
  client: ClientInfo,
): Promise<paymentsV1.InitiatePaymentResponse> {
  const loaded = prepared ?? (await loadPaymentForExecution(deps.pool, paymentId));
  if (!loaded) throw new NotFoundError('payment not found');
  const { payment, merchant } = loaded;
  if (loaded.stripeCustomerId === null) throw new Error(`no Stripe customer for user ${payment.userId}`);

  const result =
    payment.status === 'pending'
      ? await deps.stripe.createPayment({
          amountMinor: payment.amountMinor,
          currency: payment.currency,
          customerId: loaded.stripeCustomerId,
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
  let response: paymentsV1.InitiatePaymentResponse | undefined;
  let failure: DomainError | null = null;
  await withTransaction(deps.pool, (tx) =>
    settlePayment(tx, {
      paymentId,
      change: result ? changeOf(result) : null,
      now,
      scope,
      event: (current) => statusEvent(current, client),
      outcome: (current) => {
        const view = paymentView(current, merchant);
        failure = null;
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
        response = {
          status: current.status,
          payment: view,
          message: describe(current.status, view),
        };
        return failure ? storedError(failure) : { ok: response };
      },
    }),
  );
  deps.eventsCommitted();
  if (failure) throw failure;
  return response!;
}

function describe(status: string, payment: paymentsV1.Payment): string {
  const amount = `${payment.amount_decimal} ${payment.amount?.currency ?? ''}`;
  const payee = payment.destination?.display_name || (payment.destination?.payee_id ?? '');
  switch (status) {
    case 'succeeded':
      return `Paid ${amount} to ${payee} with ${payment.source_display}.`;
    case 'requires_action':
      return `The card issuer asks the cardholder to authenticate this payment of ${amount}; it completes once they do.`;
    default:
      return `The payment of ${amount} to ${payee} is ${status}; read payments://${payment.payment_id}/status for updates.`;
  }
}
