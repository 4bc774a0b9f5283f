import { describe, expect, it } from 'vitest';
import { FieldRuleError, checkRequestMessage, loadReflectionRoot, methodAccess, toRequestMessage } from '../src/index';

// The contract's one validator, on the fleet's real request messages (their fintech.mcp.v1.field rules as written).

const root = loadReflectionRoot();
const type = (name: string) => root.lookupType(name);
const InitiatePayment = type('fintech.payments.v1.InitiatePaymentRequest');
const ProcessRefund = type('fintech.payments.v1.ProcessRefundRequest');
const UpdateProfile = type('fintech.auth.v1.UpdateUserProfileRequest');
const History = type('fintech.payments.v1.GetPaymentHistoryRequest');

function refusal(run: () => unknown): { message: string; field: string | undefined } {
  try {
    run();
  } catch (error) {
    if (error instanceof FieldRuleError) return { message: error.message, field: error.field };
    throw error;
  }
  throw new Error('accepted');
}

const payment = { source_id: 'pm_1', destination_id: 'merchant_demo_coffee', amount: '12.50', currency: 'USD' };

describe('tool arguments (JSON)', () => {
  it('refuses null for every field, money or not, and treats omission as the default', () => {
    for (const amount of [null, JSON.parse(JSON.stringify({ a: Infinity })).a, JSON.parse(JSON.stringify([NaN]))[0]]) {
      expect(refusal(() => toRequestMessage(ProcessRefund, { payment_id: 'p', amount })).field).toBe('amount');
    }
    expect(refusal(() => toRequestMessage(InitiatePayment, { ...payment, description: null })).field).toBe(
      'description',
    );
    expect(refusal(() => toRequestMessage(UpdateProfile, { user_id: 'me', profile_data: null })).field).toBe(
      'profile_data',
    );
    expect(
      refusal(() => toRequestMessage(UpdateProfile, { user_id: 'me', profile_data: { address: { city: null } } }))
        .field,
    ).toBe('profile_data.address.city');
    expect(toRequestMessage(ProcessRefund, { payment_id: 'p' })).toEqual({ payment_id: 'p' });
  });

  it('refuses names of Object.prototype and __proto__ as unknown fields, by own property', () => {
    for (const name of ['toString', 'valueOf', 'hasOwnProperty', 'constructor', 'isPrototypeOf']) {
      expect(refusal(() => toRequestMessage(InitiatePayment, { ...payment, [name]: 'x' }))).toEqual({
        message: `unknown field ${name}`,
        field: name,
      });
    }
    const parsed = JSON.parse(`{"source_id":"pm_1","__proto__":{"amount":"1"}}`) as Record<string, unknown>;
    expect(refusal(() => toRequestMessage(InitiatePayment, parsed)).field).toBe('__proto__');
    const nested = JSON.parse('{"user_id":"me","profile_data":{"constructor":"x"}}') as Record<string, unknown>;
    expect(refusal(() => toRequestMessage(UpdateProfile, nested)).field).toBe('profile_data.constructor');
    // An inherited property is never read as a field's value.
    const inheriting = Object.create({ amount: '999.00' }) as Record<string, unknown>;
    Object.assign(inheriting, { payment_id: 'p' });
    expect(toRequestMessage(ProcessRefund, inheriting)).toEqual({ payment_id: 'p' });
  });

  it('refuses NUL and unpaired surrogates in every string, and keeps well-formed text', () => {
    expect(refusal(() => toRequestMessage(InitiatePayment, { ...payment, description: 'a\u0000' })).field).toBe(
      'description',
    );
    expect(refusal(() => toRequestMessage(InitiatePayment, { ...payment, description: '\ud800x' })).field).toBe(
      'description',
    );
    expect(refusal(() => toRequestMessage(InitiatePayment, { ...payment, description: 'x\udfff' })).field).toBe(
      'description',
    );
    expect(
      refusal(() =>
        toRequestMessage(UpdateProfile, { user_id: 'me', profile_data: { address: { line2: 'flat \u0000' } } }),
      ).field,
    ).toBe('profile_data.address.line2');
    expect(toRequestMessage(InitiatePayment, { ...payment, description: 'café ☕ 🥐' }).description).toBe('café ☕ 🥐');
  });
});

describe('decoded requests at a service', () => {
  const decoded = (message: Record<string, unknown>) => ({
    source_id: '',
    destination_id: '',
    amount: '',
    currency: '',
    description: '',
    idempotency_key: '',
    confirmation_token: '',
    ...message,
  });

  it('apply the same rules, reading a plain proto3 default as unset', () => {
    expect(() => checkRequestMessage(InitiatePayment, decoded(payment))).not.toThrow();
    expect(refusal(() => checkRequestMessage(InitiatePayment, decoded({ ...payment, amount: '' }))).field).toBe(
      'amount',
    );
    expect(refusal(() => checkRequestMessage(InitiatePayment, decoded({ ...payment, amount: '1e3' }))).field).toBe(
      'amount',
    );
    expect(
      refusal(() => checkRequestMessage(InitiatePayment, decoded({ ...payment, destination_id: 'm\u0000' }))).field,
    ).toBe('destination_id');
    const history = { user_id: 'u', start_date: '', end_date: '', cursor: '', limit: 0 };
    expect(() => checkRequestMessage(History, history)).not.toThrow();
    expect(refusal(() => checkRequestMessage(History, { ...history, limit: 101 })).field).toBe('limit');
    expect(refusal(() => checkRequestMessage(History, { ...history, start_date: '2026-02-30' })).field).toBe(
      'start_date',
    );
  });

  it('honour presence of proto3 optional fields and walk nested messages', () => {
    const address = { line1: '', line2: '', city: '', region: '', postal_code: '', country: '' };
    const ok = { user_id: 'u', profile_data: { address: null, phone: '+14155550123' } };
    expect(() => checkRequestMessage(UpdateProfile, ok)).not.toThrow();
    // full_name is `optional` with min_length 1: present and empty is refused, absent is not.
    expect(refusal(() => checkRequestMessage(UpdateProfile, { ...ok, profile_data: { full_name: '' } })).field).toBe(
      'profile_data.full_name',
    );
    expect(
      refusal(() =>
        checkRequestMessage(UpdateProfile, { user_id: 'u', profile_data: { address: { ...address, country: 'usa' } } }),
      ).field,
    ).toBe('profile_data.address.country');
    expect(refusal(() => checkRequestMessage(UpdateProfile, { user_id: 'u', profile_data: null })).field).toBe(
      'profile_data',
    );
  });
});

describe('method access', () => {
  it('reads scopes, public access and read-only from the options', () => {
    const auth = root.lookupService('fintech.auth.v1.AuthService');
    expect(methodAccess(auth.methods.GetUserProfile!)).toMatchObject({ scopes: ['profile:read'], readOnly: true });
    expect(methodAccess(auth.methods.AuthenticateUser!)).toMatchObject({ public: true, scopes: [] });
    expect(methodAccess(auth.methods.GetJwks!)).toMatchObject({ public: true, exposed: false });
    expect(methodAccess(auth.methods.VerifyStepUp!)).toMatchObject({ public: false, scopes: [], exposed: false });
  });
});
