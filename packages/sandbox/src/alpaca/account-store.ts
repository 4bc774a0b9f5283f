import { createHash } from 'node:crypto';
import { MONEY_SCALE, parseDecimal } from './decimal.js';
import { uuidFor } from './random.js';

export type OrderSide = 'buy' | 'sell';
export type OrderType = 'market' | 'limit' | 'stop' | 'stop_limit' | 'trailing_stop';
export type TimeInForce = 'day' | 'gtc' | 'opg' | 'cls' | 'ioc' | 'fok';
export type OrderStatus =
  'accepted' | 'pending_new' | 'new' | 'partially_filled' | 'filled' | 'canceled' | 'expired' | 'replaced' | 'rejected';

export const OPEN_STATUSES: ReadonlySet<OrderStatus> = new Set(['accepted', 'pending_new', 'new', 'partially_filled']);

export interface Order {
  /** Creation sequence within the account; breaks ties between orders placed at the same instant. */
  seq: number;
  id: string;
  clientOrderId: string;
  symbol: string;
  assetId: string;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  /** Nano-shares; null for notional orders. */
  qtyNano: bigint | null;
  /** Micro-dollars; null for quantity orders. */
  notionalMicro: bigint | null;
  limitMicro: bigint | null;
  stopMicro: bigint | null;
  trailPriceMicro: bigint | null;
  /** As sent (e.g. "2.5"); kept as text because it is a percentage, not money. */
  trailPercent: string | null;
  /** Best price seen since activation, for trailing stops. */
  hwmMicro: bigint | null;
  extendedHours: boolean;
  status: OrderStatus;
  createdAt: number;
  updatedAt: number;
  submittedAt: number;
  filledAt: number | null;
  expiredAt: number | null;
  canceledAt: number | null;
  replacedAt: number | null;
  replacedBy: string | null;
  replaces: string | null;
  filledQtyNano: bigint;
  filledCostMicro: bigint;
  /** Buying power held back by an open buy order. */
  reservedMicro: bigint;
  /** Shares held back by an open sell order. */
  reservedQtyNano: bigint;
  /** When the order starts working: submission during market hours, otherwise the next open (or auction). */
  activatesAt: number;
  /** Price checks up to this instant (inclusive) have been done. */
  checkedUntil: number;
  /** For day orders: the close after which the order expires. */
  expiresAt: number | null;
  /** A stop or stop-limit order whose stop price has been reached. */
  triggered: boolean;
}

export interface Position {
  symbol: string;
  assetId: string;
  qtyNano: bigint;
  costMicro: bigint;
}

export interface Fill {
  seq: number;
  at: number;
  orderId: string;
  symbol: string;
  side: OrderSide;
  qtyNano: bigint;
  priceMicro: bigint;
  cumQtyNano: bigint;
  leavesQtyNano: bigint;
  /** Whether this fill completed the order. */
  final: boolean;
}

export interface Account {
  keyId: string;
  secret: string;
  id: string;
  accountNumber: string;
  createdAt: number;
  startingCashMicro: bigint;
  cashMicro: bigint;
  positions: Map<string, Position>;
  orders: Order[];
  ordersById: Map<string, Order>;
  ordersByClientId: Map<string, Order>;
  fills: Fill[];
  nextOrderSeq: number;
}

/** Accounts keyed by API key id: each key pair is one paper account, created on first use. */
export class AccountStore {
  private readonly accounts = new Map<string, Account>();
  private readonly startingCashMicro: bigint;

  constructor(
    private readonly seed: string,
    startingCash: string,
  ) {
    const parsed = parseDecimal(startingCash, MONEY_SCALE);
    if (parsed === undefined) throw new Error(`startingCash must be a decimal string, got ${startingCash}`);
    this.startingCashMicro = parsed;
  }

  /** The account of a key pair; undefined when the key id is bound to another secret. */
  open(keyId: string, secret: string, now: number): Account | undefined {
    const existing = this.accounts.get(keyId);
    if (existing) return existing.secret === secret ? existing : undefined;
    const digits = BigInt(
      `0x${createHash('sha256').update(`${this.seed}:account-number:${keyId}`).digest('hex').slice(0, 12)}`,
    );
    const account: Account = {
      keyId,
      secret,
      id: uuidFor(this.seed, 'account', keyId),
      accountNumber: `PA${(digits % 10_000_000_000n).toString().padStart(10, '0')}`,
      createdAt: now,
      startingCashMicro: this.startingCashMicro,
      cashMicro: this.startingCashMicro,
      positions: new Map(),
      orders: [],
      ordersById: new Map(),
      ordersByClientId: new Map(),
      fills: [],
      nextOrderSeq: 0,
    };
    this.accounts.set(keyId, account);
    return account;
  }

  all(): Account[] {
    return [...this.accounts.values()];
  }

  clear(): void {
    this.accounts.clear();
  }
}
