/**
 * Stripe's documented test cards (https://docs.stripe.com/testing), reachable as `pm_card_<name>`, `tok_<name>` or
 * by number, and how each one behaves.
 */

export interface Decline {
  code: string;
  declineCode: string;
  message: string;
  /** Stripe validates a card when it is attached to a customer: these cards fail already then. */
  failsOnAttach: boolean;
  /** Blocked by Radar rather than declined by the issuer. */
  blocked?: boolean;
}

export interface TestCard {
  name: string;
  number: string;
  brand: 'visa' | 'mastercard' | 'amex' | 'discover';
  funding: 'credit' | 'debit' | 'prepaid';
  country: string;
  /** A payment needs 3D Secure: requires_action on session, authentication_required off session. */
  requiresAuthentication?: boolean;
  decline?: Decline;
}

const declined = (failsOnAttach: boolean): Decline => ({
  code: 'card_declined',
  declineCode: 'generic_decline',
  message: 'Your card was declined.',
  failsOnAttach,
});

const CARDS: TestCard[] = [
  { name: 'visa', number: '4242424242424242', brand: 'visa', funding: 'credit', country: 'US' },
  { name: 'visa_debit', number: '4000056655665556', brand: 'visa', funding: 'debit', country: 'US' },
  { name: 'mastercard', number: '5555555555554444', brand: 'mastercard', funding: 'credit', country: 'US' },
  { name: 'mastercard_debit', number: '5200828282828210', brand: 'mastercard', funding: 'debit', country: 'US' },
  { name: 'mastercard_prepaid', number: '5105105105105100', brand: 'mastercard', funding: 'prepaid', country: 'US' },
  { name: 'amex', number: '378282246310005', brand: 'amex', funding: 'credit', country: 'US' },
  { name: 'discover', number: '6011111111111117', brand: 'discover', funding: 'credit', country: 'US' },
  {
    name: 'chargeDeclined',
    number: '4000000000000002',
    brand: 'visa',
    funding: 'credit',
    country: 'US',
    decline: declined(true),
  },
  {
    name: 'chargeDeclinedInsufficientFunds',
    number: '4000000000009995',
    brand: 'visa',
    funding: 'credit',
    country: 'US',
    decline: {
      code: 'card_declined',
      declineCode: 'insufficient_funds',
      message: 'Your card has insufficient funds.',
      failsOnAttach: true,
    },
  },
  {
    name: 'chargeDeclinedFraudulent',
    number: '4100000000000019',
    brand: 'visa',
    funding: 'credit',
    country: 'US',
    decline: {
      code: 'card_declined',
      declineCode: 'fraudulent',
      message: 'Your card was declined.',
      failsOnAttach: true,
      blocked: true,
    },
  },
  {
    name: 'chargeDeclinedExpiredCard',
    number: '4000000000000069',
    brand: 'visa',
    funding: 'credit',
    country: 'US',
    decline: {
      code: 'expired_card',
      declineCode: 'expired_card',
      message: 'Your card has expired.',
      failsOnAttach: true,
    },
  },
  {
    name: 'chargeDeclinedIncorrectCvc',
    number: '4000000000000127',
    brand: 'visa',
    funding: 'credit',
    country: 'US',
    decline: {
      code: 'incorrect_cvc',
      declineCode: 'incorrect_cvc',
      message: "Your card's security code is incorrect.",
      failsOnAttach: true,
    },
  },
  {
    name: 'chargeDeclinedProcessingError',
    number: '4000000000000119',
    brand: 'visa',
    funding: 'credit',
    country: 'US',
    decline: {
      code: 'processing_error',
      declineCode: 'processing_error',
      message: 'An error occurred while processing your card. Try again in a little bit.',
      failsOnAttach: true,
    },
  },
  // Attaching succeeds; every charge fails. Stripe's card for testing declines of a saved card.
  {
    name: 'chargeCustomerFail',
    number: '4000000000000341',
    brand: 'visa',
    funding: 'credit',
    country: 'US',
    decline: declined(false),
  },
  {
    name: 'authenticationRequired',
    number: '4000002760003184',
    brand: 'visa',
    funding: 'credit',
    country: 'DE',
    requiresAuthentication: true,
  },
  {
    name: 'threeDSecure2Required',
    number: '4000000000003220',
    brand: 'visa',
    funding: 'credit',
    country: 'US',
    requiresAuthentication: true,
  },
];

const BY_TOKEN = new Map<string, TestCard>();
for (const card of CARDS) {
  BY_TOKEN.set(`pm_card_${card.name}`, card);
  BY_TOKEN.set(`tok_${card.name}`, card);
}
const BY_NUMBER = new Map(CARDS.map((card) => [card.number, card]));

/** The test card behind `pm_card_visa`, `tok_visa`…, or undefined for any other string. */
export function testCardByToken(token: string): TestCard | undefined {
  return BY_TOKEN.get(token);
}

export function testCardByNumber(number: string): TestCard | undefined {
  return BY_NUMBER.get(number.replace(/[\s-]/g, ''));
}

/** The decline that the authentication_required code produces off session. */
export const AUTHENTICATION_REQUIRED: Decline = {
  code: 'authentication_required',
  declineCode: 'authentication_required',
  message: 'Your card was declined. This transaction requires authentication.',
  failsOnAttach: false,
};
