import type { Account, Order, OrderSide, OrderStatus, OrderType, Position, TimeInForce } from './account-store.js';
import { OPEN_STATUSES } from './account-store.js';
import type { Asset } from './assets.js';
import {
  MONEY_SCALE,
  QTY_SCALE,
  centsToMicros,
  decimalPlaces,
  formatQty,
  maxBigInt,
  minBigInt,
  mulDivRound,
  notionalOf,
  parseDecimal,
  qtyForNotional,
} from './decimal.js';
import { forbidden, notFound, unprocessable } from './errors.js';
import {
  easternDay,
  easternMinuteOfDay,
  nextSessionAfter,
  openSessionAt,
  sessionOf,
  MINUTE_MS,
} from './market-calendar.js';
import type { PricePath } from './price-path.js';
import { uuidFor } from './random.js';

export interface EngineContext {
  seed: string;
  path: PricePath;
  assets: ReadonlyMap<string, Asset>;
}

const NANO = 10n ** 9n;
const ORDER_TYPES: readonly OrderType[] = ['market', 'limit', 'stop', 'stop_limit', 'trailing_stop'];
const TIMES_IN_FORCE: readonly TimeInForce[] = ['day', 'gtc', 'opg', 'cls', 'ioc', 'fok'];
/** Alpaca sizes a market buy's buying-power check with a collar above the current price (documented as 2.5–4 %). */
const MARKET_BUY_COLLAR_PPM = 1_030_000n;
/** An order may take at most this share (1/n) of a minute's volume at one price check; the rest waits. */
const LIQUIDITY_DIVISOR = 10n;
/** OPG orders are refused from 09:28 to 19:00 ET on trading days, CLS orders from 15:50 (10 minutes before the close). */
const OPG_CUTOFF_MINUTE = 9 * 60 + 28;
const AUCTION_REOPEN_MINUTE = 19 * 60;
const CLS_CUTOFF_MS = 10 * MINUTE_MS;

/** The JSON body of POST /v2/orders (quantities and prices may arrive as strings or numbers). */
export type OrderRequestBody = Record<string, unknown>;

function readText(body: OrderRequestBody, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw unprocessable(`invalid ${field}`);
}

function readQuantity(body: OrderRequestBody, field: 'qty' | 'notional'): bigint | undefined {
  const text = readText(body, field);
  if (text === undefined) return undefined;
  const value = parseDecimal(text, field === 'qty' ? QTY_SCALE : MONEY_SCALE + 3);
  if (value === undefined) throw unprocessable(`invalid ${field}`);
  if (value === 0n) throw unprocessable(`${field} must be > 0`);
  return field === 'qty' ? value : value / 1000n;
}

/** Prices: positive, whole cents at or above $1 and up to four decimals below it (Alpaca's sub-penny rule). */
function readPrice(body: OrderRequestBody, field: string): bigint | undefined {
  const text = readText(body, field);
  if (text === undefined) return undefined;
  const value = parseDecimal(text, MONEY_SCALE);
  if (value === undefined || value === 0n) throw unprocessable(`invalid ${field}`);
  const places = decimalPlaces(text);
  if ((value >= 1_000_000n && places > 2) || places > 4) {
    throw unprocessable('sub-penny increment does not fulfill minimum pricing criteria');
  }
  return value;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], field: string): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  if (value === undefined || value === null || value === '') throw unprocessable(`${field} is required`);
  throw unprocessable(`invalid ${field}`);
}

function isWholeShares(qtyNano: bigint): boolean {
  return qtyNano % NANO === 0n;
}

function openSellReservations(account: Account, symbol: string, except?: Order): bigint {
  let total = 0n;
  for (const order of account.orders) {
    if (order !== except && order.symbol === symbol && order.side === 'sell' && OPEN_STATUSES.has(order.status)) {
      total += order.reservedQtyNano;
    }
  }
  return total;
}

export function buyingPower(account: Account): bigint {
  let reserved = 0n;
  for (const order of account.orders) if (OPEN_STATUSES.has(order.status)) reserved += order.reservedMicro;
  return maxBigInt(account.cashMicro - reserved, 0n);
}

/** When the order starts working and, for day orders, when it expires. */
function schedule(timeInForce: TimeInForce, now: number): { activatesAt: number; expiresAt: number | null } {
  const today = sessionOf(easternDay(now));
  if (timeInForce === 'opg') {
    return { activatesAt: nextSessionAfter(now).open, expiresAt: null };
  }
  if (timeInForce === 'cls') {
    const target = today && now < today.close - CLS_CUTOFF_MS ? today : nextSessionAfter(now);
    return { activatesAt: target.close, expiresAt: null };
  }
  const open = openSessionAt(now);
  const session = open ?? nextSessionAfter(now);
  return { activatesAt: open ? now : session.open, expiresAt: timeInForce === 'day' ? session.close : null };
}

/** Per Alpaca: OPG orders are refused between 09:28 and 19:00 ET, CLS orders between 15:50 and 19:00 ET. */
function checkAuctionWindow(timeInForce: TimeInForce, now: number): void {
  const today = sessionOf(easternDay(now));
  if (!today) return;
  const minute = easternMinuteOfDay(now);
  if (timeInForce === 'opg' && minute >= OPG_CUTOFF_MINUTE && minute < AUCTION_REOPEN_MINUTE) {
    throw unprocessable('opg orders are only accepted before 09:28 or after 19:00 ET');
  }
  if (timeInForce === 'cls' && now >= today.close - CLS_CUTOFF_MS && minute < AUCTION_REOPEN_MINUTE) {
    throw unprocessable('cls orders are only accepted until 10 minutes before the close or after 19:00 ET');
  }
}

interface OrderTerms {
  symbol: string;
  asset: Asset;
  side: OrderSide;
  type: OrderType;
  timeInForce: TimeInForce;
  qtyNano: bigint | null;
  notionalMicro: bigint | null;
  limitMicro: bigint | null;
  stopMicro: bigint | null;
  trailPriceMicro: bigint | null;
  trailPercent: string | null;
  extendedHours: boolean;
  clientOrderId: string | null;
}

/** Validates a POST /v2/orders body the way Alpaca documents its rules. */
function parseTerms(ctx: EngineContext, account: Account, body: OrderRequestBody, now: number): OrderTerms {
  const orderClass = body.order_class;
  if (orderClass !== undefined && orderClass !== null && orderClass !== '' && orderClass !== 'simple') {
    throw unprocessable(`order_class ${String(orderClass)} is not supported by this sandbox`);
  }
  const symbolText = readText(body, 'symbol');
  if (!symbolText) throw unprocessable('symbol is required');
  const symbol = symbolText.toUpperCase();
  const asset = ctx.assets.get(symbol) ?? [...ctx.assets.values()].find((candidate) => candidate.id === symbolText);
  if (!asset) throw unprocessable(`asset "${symbolText}" not found`);
  const side = oneOf(body.side, ['buy', 'sell'] as const, 'side');
  const type = oneOf(body.type, ORDER_TYPES, 'type');
  const timeInForce = oneOf(body.time_in_force, TIMES_IN_FORCE, 'time_in_force');

  const qtyNano = readQuantity(body, 'qty') ?? null;
  const notionalMicro = readQuantity(body, 'notional') ?? null;
  if (qtyNano !== null && notionalMicro !== null) throw unprocessable('qty and notional cannot both be specified');
  if (qtyNano === null && notionalMicro === null) throw unprocessable('qty or notional is required');

  const fractional = notionalMicro !== null || (qtyNano !== null && !isWholeShares(qtyNano));
  if (fractional) {
    // Per the order schema: notional "can only work for market order types and day for time in force", and qty
    // "can be fractionable for only market and day order types".
    if (!asset.fractionable) throw unprocessable(`asset ${asset.symbol} is not fractionable`);
    if (type !== 'market') throw unprocessable('fractional orders must be market orders');
    if (timeInForce !== 'day') throw unprocessable('fractional orders must be DAY orders');
  }
  if (notionalMicro !== null && notionalMicro < 1_000_000n) throw unprocessable('cost basis must be >= 1');

  const limitMicro = readPrice(body, 'limit_price') ?? null;
  const stopMicro = readPrice(body, 'stop_price') ?? null;
  const trailPriceMicro = readPrice(body, 'trail_price') ?? null;
  const trailPercentText = readText(body, 'trail_percent') ?? null;
  if ((type === 'limit' || type === 'stop_limit') && limitMicro === null)
    throw unprocessable('limit_price is required');
  if ((type === 'stop' || type === 'stop_limit') && stopMicro === null) throw unprocessable('stop_price is required');
  let trailPercent: string | null = null;
  if (type === 'trailing_stop') {
    if ((trailPriceMicro === null) === (trailPercentText === null)) {
      throw unprocessable('trailing_stop orders require exactly one of trail_price or trail_percent');
    }
    if (trailPercentText !== null) {
      const percent = parseDecimal(trailPercentText, 6);
      if (percent === undefined || percent === 0n || percent >= 100_000_000n)
        throw unprocessable('invalid trail_percent');
      trailPercent = trailPercentText;
    }
    if (timeInForce !== 'day' && timeInForce !== 'gtc') throw unprocessable('trailing_stop orders must be day or gtc');
  }
  if ((timeInForce === 'opg' || timeInForce === 'cls') && type !== 'market' && type !== 'limit') {
    throw unprocessable(`${timeInForce} orders must be market or limit orders`);
  }
  const extendedHours = body.extended_hours === true || body.extended_hours === 'true';
  if (extendedHours && !(type === 'limit' && (timeInForce === 'day' || timeInForce === 'gtc'))) {
    throw unprocessable('extended hours order must be DAY or GTC limit orders');
  }
  if (timeInForce === 'opg' || timeInForce === 'cls') checkAuctionWindow(timeInForce, now);

  const clientOrderId = readText(body, 'client_order_id') ?? null;
  if (clientOrderId !== null) {
    if (clientOrderId.length > 128) throw unprocessable('client_order_id must be no more than 128 characters');
    if (account.ordersByClientId.has(clientOrderId)) throw unprocessable('client_order_id must be unique');
  }
  return {
    symbol: asset.symbol,
    asset,
    side,
    type,
    timeInForce,
    qtyNano,
    notionalMicro,
    limitMicro: type === 'limit' || type === 'stop_limit' ? limitMicro : null,
    stopMicro: type === 'stop' || type === 'stop_limit' ? stopMicro : null,
    trailPriceMicro: type === 'trailing_stop' ? trailPriceMicro : null,
    trailPercent,
    extendedHours,
    clientOrderId,
  };
}

/** Buying power or shares an order holds back while it is open; throws Alpaca's 403s when they are not there. */
function reserve(
  ctx: EngineContext,
  account: Account,
  terms: OrderTerms,
  now: number,
  replacing?: Order,
): { cash: bigint; qty: bigint } {
  const currentMicro = centsToMicros(ctx.path.priceAt(terms.symbol, now));
  if (terms.side === 'buy') {
    let cash: bigint;
    if (terms.notionalMicro !== null) {
      cash = terms.notionalMicro;
    } else {
      const qty = terms.qtyNano ?? 0n;
      const reference =
        terms.limitMicro ??
        mulDivRound(maxBigInt(currentMicro, terms.stopMicro ?? 0n), MARKET_BUY_COLLAR_PPM, 1_000_000n);
      cash = notionalOf(qty, reference);
    }
    const available = buyingPower(account) + (replacing?.reservedMicro ?? 0n);
    if (cash > available) throw forbidden('insufficient buying power');
    return { cash, qty: 0n };
  }
  const position = account.positions.get(terms.symbol);
  const held = position?.qtyNano ?? 0n;
  const available = held - openSellReservations(account, terms.symbol, replacing);
  const requested = terms.qtyNano ?? minBigInt(qtyForNotional(terms.notionalMicro ?? 0n, currentMicro), held);
  if (terms.notionalMicro !== null && position && notionalOf(held, currentMicro) < terms.notionalMicro) {
    throw forbidden(
      `insufficient qty available for order (requested: ${formatQty(qtyForNotional(terms.notionalMicro, currentMicro))}, available: ${formatQty(maxBigInt(available, 0n))})`,
    );
  }
  if (requested > available || held === 0n) {
    throw forbidden(
      `insufficient qty available for order (requested: ${formatQty(requested)}, available: ${formatQty(maxBigInt(available, 0n))})`,
    );
  }
  return { cash: 0n, qty: requested };
}

function createOrder(
  ctx: EngineContext,
  account: Account,
  terms: OrderTerms,
  now: number,
  reserved: { cash: bigint; qty: bigint },
): Order {
  const seq = account.nextOrderSeq;
  account.nextOrderSeq += 1;
  const { activatesAt, expiresAt } = schedule(terms.timeInForce, now);
  const order: Order = {
    seq,
    id: uuidFor(ctx.seed, account.keyId, 'order', String(seq)),
    clientOrderId: terms.clientOrderId ?? uuidFor(ctx.seed, account.keyId, 'client-order', String(seq)),
    symbol: terms.symbol,
    assetId: terms.asset.id,
    side: terms.side,
    type: terms.type,
    timeInForce: terms.timeInForce,
    qtyNano: terms.qtyNano,
    notionalMicro: terms.notionalMicro,
    limitMicro: terms.limitMicro,
    stopMicro: terms.stopMicro,
    trailPriceMicro: terms.trailPriceMicro,
    trailPercent: terms.trailPercent,
    hwmMicro: null,
    extendedHours: terms.extendedHours,
    // Alpaca: "accepted" is typical outside market hours; "pending_new" means routed but not yet acknowledged.
    status: activatesAt > now ? 'accepted' : 'pending_new',
    createdAt: now,
    updatedAt: now,
    submittedAt: now,
    filledAt: null,
    expiredAt: null,
    canceledAt: null,
    replacedAt: null,
    replacedBy: null,
    replaces: null,
    filledQtyNano: 0n,
    filledCostMicro: 0n,
    reservedMicro: reserved.cash,
    reservedQtyNano: reserved.qty,
    activatesAt,
    checkedUntil: now - 1,
    expiresAt,
    triggered: false,
  };
  if (order.type === 'trailing_stop') order.stopMicro = null;
  account.orders.push(order);
  account.ordersById.set(order.id, order);
  account.ordersByClientId.set(order.clientOrderId, order);
  return order;
}

export function submitOrder(ctx: EngineContext, account: Account, body: OrderRequestBody, now: number): Order {
  const terms = parseTerms(ctx, account, body, now);
  const reserved = reserve(ctx, account, terms, now);
  return createOrder(ctx, account, terms, now, reserved);
}

function release(order: Order): void {
  order.reservedMicro = 0n;
  order.reservedQtyNano = 0n;
}

function close(order: Order, status: OrderStatus, at: number): void {
  order.status = status;
  order.updatedAt = at;
  if (status === 'canceled') order.canceledAt = at;
  if (status === 'expired') order.expiredAt = at;
  release(order);
}

export function findOrder(account: Account, id: string): Order {
  const order = account.ordersById.get(id);
  if (!order) throw notFound('order not found');
  return order;
}

export function cancelOrder(account: Account, id: string, now: number): Order {
  const order = findOrder(account, id);
  if (!OPEN_STATUSES.has(order.status)) throw unprocessable(`order is already in "${order.status}" state`);
  close(order, 'canceled', now);
  return order;
}

/** PATCH /v2/orders/:id: Alpaca replaces the order with a new one and marks the old one "replaced". */
export function replaceOrder(
  ctx: EngineContext,
  account: Account,
  id: string,
  body: OrderRequestBody,
  now: number,
): Order {
  const original = findOrder(account, id);
  if (!OPEN_STATUSES.has(original.status)) throw unprocessable(`order is already in "${original.status}" state`);
  if (original.notionalMicro !== null) throw unprocessable('notional orders cannot be replaced');
  const qtyNano = readQuantity(body, 'qty') ?? (original.qtyNano ?? 0n) - original.filledQtyNano;
  if (!isWholeShares(qtyNano) && original.qtyNano !== null && qtyNano !== original.qtyNano - original.filledQtyNano) {
    throw unprocessable('qty of a fractional order cannot be changed');
  }
  const trailText = readText(body, 'trail');
  let trailPriceMicro = original.trailPriceMicro;
  let trailPercent = original.trailPercent;
  if (trailText !== undefined) {
    if (original.type !== 'trailing_stop') throw unprocessable('trail is only valid for trailing_stop orders');
    if (original.trailPercent !== null) trailPercent = trailText;
    else trailPriceMicro = readPrice({ trail: trailText }, 'trail') ?? null;
  }
  const clientOrderId = readText(body, 'client_order_id') ?? null;
  if (clientOrderId !== null && account.ordersByClientId.has(clientOrderId))
    throw unprocessable('client_order_id must be unique');
  const asset = ctx.assets.get(original.symbol);
  if (!asset) throw notFound('asset not found');
  const terms: OrderTerms = {
    symbol: original.symbol,
    asset,
    side: original.side,
    type: original.type,
    timeInForce:
      body.time_in_force === undefined
        ? original.timeInForce
        : oneOf(body.time_in_force, TIMES_IN_FORCE, 'time_in_force'),
    qtyNano,
    notionalMicro: null,
    limitMicro: readPrice(body, 'limit_price') ?? original.limitMicro,
    stopMicro: readPrice(body, 'stop_price') ?? (original.type === 'trailing_stop' ? null : original.stopMicro),
    trailPriceMicro,
    trailPercent,
    extendedHours: original.extendedHours,
    clientOrderId,
  };
  const reserved = reserve(ctx, account, terms, now, original);
  const replacement = createOrder(ctx, account, terms, now, reserved);
  replacement.replaces = original.id;
  close(original, 'replaced', now);
  original.replacedAt = now;
  original.replacedBy = replacement.id;
  return replacement;
}

function trailingStopPrice(order: Order, hwm: bigint): bigint {
  const direction = order.side === 'sell' ? -1n : 1n;
  if (order.trailPriceMicro !== null) return hwm + direction * order.trailPriceMicro;
  const percent = parseDecimal(order.trailPercent ?? '0', 6) ?? 0n;
  // The stop follows the high-water mark in whole cents.
  return mulDivRound(hwm + direction * mulDivRound(hwm, percent, 100_000_000n), 1n, 10_000n) * 10_000n;
}

function addToPosition(account: Account, order: Order, qty: bigint, cost: bigint): void {
  const position: Position = account.positions.get(order.symbol) ?? {
    symbol: order.symbol,
    assetId: order.assetId,
    qtyNano: 0n,
    costMicro: 0n,
  };
  position.qtyNano += qty;
  position.costMicro += cost;
  account.positions.set(order.symbol, position);
}

function removeFromPosition(account: Account, symbol: string, qty: bigint): void {
  const position = account.positions.get(symbol);
  if (!position) return;
  const costRemoved = mulDivRound(position.costMicro, qty, position.qtyNano);
  position.qtyNano -= qty;
  position.costMicro -= costRemoved;
  if (position.qtyNano <= 0n) account.positions.delete(symbol);
}

function applyFill(account: Account, order: Order, qty: bigint, priceMicro: bigint, at: number): void {
  const cost = notionalOf(qty, priceMicro);
  const remainingBefore = (order.qtyNano ?? qty) - order.filledQtyNano;
  if (order.side === 'buy') {
    account.cashMicro -= cost;
    addToPosition(account, order, qty, cost);
    order.reservedMicro =
      order.notionalMicro !== null ? 0n : mulDivRound(order.reservedMicro, remainingBefore - qty, remainingBefore);
  } else {
    account.cashMicro += cost;
    removeFromPosition(account, order.symbol, qty);
    order.reservedQtyNano = maxBigInt(order.reservedQtyNano - qty, 0n);
  }
  order.filledQtyNano += qty;
  order.filledCostMicro += cost;
  const done = order.notionalMicro !== null || order.filledQtyNano >= (order.qtyNano ?? 0n);
  order.status = done ? 'filled' : 'partially_filled';
  order.filledAt = at;
  order.updatedAt = at;
  if (done) release(order);
  account.fills.push({
    seq: account.fills.length,
    at,
    orderId: order.id,
    symbol: order.symbol,
    side: order.side,
    qtyNano: qty,
    priceMicro,
    cumQtyNano: order.filledQtyNano,
    leavesQtyNano: done ? 0n : (order.qtyNano ?? 0n) - order.filledQtyNano,
    final: done,
  });
}

/** One look at the order against the price path at instant `at`. */
function evaluate(ctx: EngineContext, account: Account, order: Order, at: number): void {
  if (order.status === 'accepted' || order.status === 'pending_new') {
    order.status = 'new';
    order.updatedAt = at;
  }
  const priceMicro = centsToMicros(ctx.path.priceAt(order.symbol, at));
  const buying = order.side === 'buy';

  if (order.type === 'trailing_stop') {
    const hwm = order.hwmMicro ?? priceMicro;
    const stop = trailingStopPrice(order, hwm);
    const crossed = order.hwmMicro !== null && (buying ? priceMicro >= stop : priceMicro <= stop);
    if (!crossed) {
      order.hwmMicro = buying ? minBigInt(hwm, priceMicro) : maxBigInt(hwm, priceMicro);
      order.stopMicro = trailingStopPrice(order, order.hwmMicro);
      return;
    }
    order.triggered = true;
  } else if ((order.type === 'stop' || order.type === 'stop_limit') && !order.triggered) {
    const stop = order.stopMicro ?? 0n;
    if (buying ? priceMicro < stop : priceMicro > stop) return;
    order.triggered = true;
  }
  if (order.type === 'limit' || order.type === 'stop_limit') {
    const limit = order.limitMicro ?? 0n;
    if (buying ? priceMicro > limit : priceMicro < limit) return;
  }

  let qty: bigint;
  if (order.notionalMicro !== null) {
    qty = qtyForNotional(order.notionalMicro, priceMicro);
    if (!buying) qty = minBigInt(qty, account.positions.get(order.symbol)?.qtyNano ?? 0n);
  } else {
    qty = (order.qtyNano ?? 0n) - order.filledQtyNano;
    const auction = order.timeInForce === 'opg' || order.timeInForce === 'cls';
    if (!auction) {
      // Whole shares only, so a whole-share order never ends up with a fractional fill.
      const cap = (BigInt(ctx.path.minuteVolumeAt(order.symbol, at)) / LIQUIDITY_DIVISOR) * NANO;
      if (order.timeInForce === 'fok' && qty > cap) return;
      qty = minBigInt(qty, cap);
    }
  }
  if (qty > 0n) applyFill(account, order, qty, priceMicro, at);
}

/** Instants in (from, to] at which the order is checked against the path. */
function checkPoints(ctx: EngineContext, order: Order, from: number, to: number): number[] {
  const points: number[] = [];
  if (order.activatesAt > from && order.activatesAt <= to) points.push(order.activatesAt);
  const singleShot =
    order.timeInForce === 'opg' ||
    order.timeInForce === 'cls' ||
    order.timeInForce === 'ioc' ||
    order.timeInForce === 'fok';
  if (singleShot) return points;
  const lower = Math.max(from, order.activatesAt);
  const upper = order.expiresAt === null ? to : Math.min(to, order.expiresAt);
  if (upper <= lower) return points;
  for (let day = easternDay(lower); day <= easternDay(upper); day += 1) {
    const session = sessionOf(day);
    if (!session) continue;
    const first = Math.max(1, Math.floor((lower - session.open) / MINUTE_MS) + 1);
    for (let t = session.open + first * MINUTE_MS; t <= session.close && t <= upper; t += MINUTE_MS) {
      if (t > lower) points.push(t);
    }
  }
  for (const pin of ctx.path.pinInstants(order.symbol, lower, upper)) {
    if (openSessionAt(pin)) points.push(pin);
  }
  return [...new Set(points)].sort((a, b) => a - b);
}

interface EngineEvent {
  at: number;
  /** 0: price check, 1: end of a single-shot order's only check, 2: day-order expiry. */
  kind: 0 | 1 | 2;
  order: Order;
}

/**
 * Brings every open order of the account up to `now`: walks the price path minute by minute (plus any pinned-price
 * instants) in time order across all orders, so fills, positions and cash come out the same however often the
 * state is read.
 */
export function settle(ctx: EngineContext, account: Account, now: number): void {
  const events: EngineEvent[] = [];
  for (const order of account.orders) {
    if (!OPEN_STATUSES.has(order.status) || order.checkedUntil >= now) continue;
    for (const at of checkPoints(ctx, order, order.checkedUntil, now)) events.push({ at, kind: 0, order });
    const singleShot =
      order.timeInForce === 'opg' ||
      order.timeInForce === 'cls' ||
      order.timeInForce === 'ioc' ||
      order.timeInForce === 'fok';
    if (singleShot && order.activatesAt > order.checkedUntil && order.activatesAt <= now) {
      events.push({ at: order.activatesAt, kind: 1, order });
    }
    if (order.expiresAt !== null && order.expiresAt > order.checkedUntil && order.expiresAt <= now) {
      events.push({ at: order.expiresAt, kind: 2, order });
    }
    order.checkedUntil = now;
  }
  events.sort((a, b) => a.at - b.at || a.kind - b.kind || a.order.seq - b.order.seq);
  for (const event of events) {
    const { order } = event;
    if (!OPEN_STATUSES.has(order.status)) continue;
    if (event.kind === 0) evaluate(ctx, account, order, event.at);
    // Alpaca cancels what an IOC/FOK order could not fill at once, and OPG/CLS orders left over after the auction.
    else if (event.kind === 1) close(order, 'canceled', event.at);
    else close(order, 'expired', event.at);
  }
}
