import type { PaymentChannel, TransactionCode } from './wire-types.js';

/** One kind of spending or income, with the category Plaid's personal finance taxonomy gives it. */
export interface MerchantProfile {
  name: string;
  /** What the bank statement says before Plaid cleans it up. */
  rawDescription: string;
  merchantName: string | null;
  website: string | null;
  primary: string;
  detailed: string;
  channel: PaymentChannel;
  code: TransactionCode;
  minAmount: number;
  maxAmount: number;
}

const merchant = (
  merchantName: string,
  rawDescription: string,
  website: string | null,
  primary: string,
  detailed: string,
  channel: PaymentChannel,
  minAmount: number,
  maxAmount: number,
): MerchantProfile => ({
  name: merchantName,
  rawDescription,
  merchantName,
  website,
  primary,
  detailed,
  channel,
  code: 'purchase',
  minAmount,
  maxAmount,
});

/** Card spending, drawn for checking (debit card) and credit card accounts. */
export const CARD_MERCHANTS: MerchantProfile[] = [
  merchant(
    'Starbucks',
    'STARBUCKS STORE 0419',
    'starbucks.com',
    'FOOD_AND_DRINK',
    'FOOD_AND_DRINK_COFFEE',
    'in store',
    3.5,
    12,
  ),
  merchant(
    "McDonald's",
    'MCDONALDS F1234',
    'mcdonalds.com',
    'FOOD_AND_DRINK',
    'FOOD_AND_DRINK_FAST_FOOD',
    'in store',
    5,
    18,
  ),
  merchant('KFC', 'KFC #882', 'kfc.com', 'FOOD_AND_DRINK', 'FOOD_AND_DRINK_FAST_FOOD', 'in store', 6, 22),
  merchant(
    'Chipotle',
    'CHIPOTLE 1187',
    'chipotle.com',
    'FOOD_AND_DRINK',
    'FOOD_AND_DRINK_RESTAURANT',
    'in store',
    9,
    28,
  ),
  merchant(
    'Whole Foods',
    'WHOLEFDS MKT 10231',
    'wholefoodsmarket.com',
    'FOOD_AND_DRINK',
    'FOOD_AND_DRINK_GROCERIES',
    'in store',
    18,
    160,
  ),
  merchant(
    "Trader Joe's",
    'TRADER JOE S #552',
    'traderjoes.com',
    'FOOD_AND_DRINK',
    'FOOD_AND_DRINK_GROCERIES',
    'in store',
    15,
    120,
  ),
  merchant(
    'Uber',
    'UBER *TRIP HELP.UBER.COM',
    'uber.com',
    'TRANSPORTATION',
    'TRANSPORTATION_TAXIS_AND_RIDE_SHARES',
    'online',
    7,
    48,
  ),
  merchant(
    'Lyft',
    'LYFT *RIDE SUN 4PM',
    'lyft.com',
    'TRANSPORTATION',
    'TRANSPORTATION_TAXIS_AND_RIDE_SHARES',
    'online',
    6,
    40,
  ),
  merchant('Shell', 'SHELL OIL 57444712', 'shell.com', 'TRANSPORTATION', 'TRANSPORTATION_GAS', 'in store', 25, 75),
  merchant(
    'Amazon',
    'AMZN Mktp US*2K4HT1',
    'amazon.com',
    'GENERAL_MERCHANDISE',
    'GENERAL_MERCHANDISE_ONLINE_MARKETPLACES',
    'online',
    8,
    220,
  ),
  merchant(
    'Target',
    'TARGET 00028472',
    'target.com',
    'GENERAL_MERCHANDISE',
    'GENERAL_MERCHANDISE_SUPERSTORES',
    'in store',
    12,
    180,
  ),
  merchant(
    'SparkFun',
    'SPARKFUN ELECTRONICS',
    'sparkfun.com',
    'GENERAL_MERCHANDISE',
    'GENERAL_MERCHANDISE_ELECTRONICS',
    'online',
    15,
    140,
  ),
  merchant(
    'Netflix',
    'NETFLIX.COM',
    'netflix.com',
    'ENTERTAINMENT',
    'ENTERTAINMENT_TV_AND_MOVIES',
    'online',
    15.49,
    15.5,
  ),
  merchant(
    'Spotify',
    'SPOTIFY USA',
    'spotify.com',
    'ENTERTAINMENT',
    'ENTERTAINMENT_MUSIC_AND_AUDIO',
    'online',
    10.99,
    11,
  ),
  merchant(
    'Touchstone Climbing',
    'TOUCHSTONE CLIMBING',
    'touchstoneclimbing.com',
    'PERSONAL_CARE',
    'PERSONAL_CARE_GYMS_AND_FITNESS_CENTERS',
    'in store',
    20,
    85,
  ),
  merchant('United Airlines', 'UNITED 0162345678901', 'united.com', 'TRAVEL', 'TRAVEL_FLIGHTS', 'online', 180, 650),
  merchant(
    'CVS Pharmacy',
    'CVS/PHARMACY #04711',
    'cvs.com',
    'MEDICAL',
    'MEDICAL_PHARMACIES_AND_SUPPLEMENTS',
    'in store',
    6,
    60,
  ),
];

/** Checking-account bills that recur once a month. */
export const MONTHLY_BILLS: MerchantProfile[] = [
  {
    ...merchant(
      'Oakwood Property Management',
      'ACH DEBIT OAKWOOD PROP MGMT RENT',
      null,
      'RENT_AND_UTILITIES',
      'RENT_AND_UTILITIES_RENT',
      'other',
      1200,
      2400,
    ),
    code: 'direct debit',
  },
  {
    ...merchant(
      'Pacific Gas and Electric',
      'PGANDE WEB ONLINE',
      'pge.com',
      'RENT_AND_UTILITIES',
      'RENT_AND_UTILITIES_GAS_AND_ELECTRICITY',
      'online',
      45,
      180,
    ),
    code: 'bill payment',
  },
  {
    ...merchant(
      'Verizon',
      'VZWRLSS*APOCC VISB',
      'verizon.com',
      'RENT_AND_UTILITIES',
      'RENT_AND_UTILITIES_TELEPHONE',
      'online',
      55,
      110,
    ),
    code: 'bill payment',
  },
];

export const PAYROLL: MerchantProfile = {
  name: 'Tectra Inc Payroll',
  rawDescription: 'TECTRA INC PAYROLL PPD ID: 1234567890',
  merchantName: 'Tectra Inc',
  website: null,
  primary: 'INCOME',
  detailed: 'INCOME_WAGES',
  channel: 'other',
  code: 'transfer',
  minAmount: 1800,
  maxAmount: 3400,
};

export const INTEREST: MerchantProfile = {
  name: 'Interest Payment',
  rawDescription: 'INTEREST PAYMENT',
  merchantName: null,
  website: null,
  primary: 'INCOME',
  detailed: 'INCOME_INTEREST_EARNED',
  channel: 'other',
  code: 'interest',
  minAmount: 0.5,
  maxAmount: 9,
};

export const ATM_WITHDRAWAL: MerchantProfile = {
  name: 'ATM Withdrawal',
  rawDescription: 'ATM WITHDRAWAL 000823 5TH AVE',
  merchantName: null,
  website: null,
  primary: 'TRANSFER_OUT',
  detailed: 'TRANSFER_OUT_WITHDRAWAL',
  channel: 'in store',
  code: 'atm',
  minAmount: 20,
  maxAmount: 200,
};

export const TRANSFER_TO_SAVINGS: MerchantProfile = {
  name: 'Transfer to Savings',
  rawDescription: 'ONLINE TRANSFER TO SAV XXXXX',
  merchantName: null,
  website: null,
  primary: 'TRANSFER_OUT',
  detailed: 'TRANSFER_OUT_SAVINGS',
  channel: 'online',
  code: 'transfer',
  minAmount: 100,
  maxAmount: 600,
};

export const TRANSFER_FROM_CHECKING: MerchantProfile = {
  ...TRANSFER_TO_SAVINGS,
  name: 'Transfer from Checking',
  rawDescription: 'ONLINE TRANSFER FROM CHK XXXXX',
  primary: 'TRANSFER_IN',
  detailed: 'TRANSFER_IN_ACCOUNT_TRANSFER',
};

export const CARD_PAYMENT: MerchantProfile = {
  name: 'Credit Card Payment',
  rawDescription: 'AUTOPAY CREDIT CARD PAYMENT',
  merchantName: null,
  website: null,
  primary: 'LOAN_PAYMENTS',
  detailed: 'LOAN_PAYMENTS_CREDIT_CARD_PAYMENT',
  channel: 'other',
  code: 'bill payment',
  minAmount: 150,
  maxAmount: 900,
};

export const CARD_PAYMENT_RECEIVED: MerchantProfile = {
  ...CARD_PAYMENT,
  name: 'Payment Thank You',
  rawDescription: 'PAYMENT THANK YOU',
  primary: 'TRANSFER_IN',
  detailed: 'TRANSFER_IN_ACCOUNT_TRANSFER',
};
