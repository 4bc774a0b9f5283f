import type { Account, Fill, Order, Position } from './account-store.js';
import { OPEN_STATUSES } from './account-store.js';
import { centsToMicros, formatMoney, formatQty, formatRatio, mulDivRound } from './decimal.js';
import { formatDateString, latestSessionAt, previousTradingDay, sessionOf } from './market-calendar.js';
import type { EngineContext } from './order-engine.js';
import { buyingPower } from './order-engine.js';

const NANO = 10n ** 9n;
const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The order object exactly as Alpaca's trading API returns it. */
export function orderToWire(order: Order): Record<string, unknown> {
  const filledAvg =
    order.filledQtyNano > 0n ? formatMoney(mulDivRound(order.filledCostMicro, NANO, order.filledQtyNano)) : null;
  return {
    id: order.id,
    client_order_id: order.clientOrderId,
    created_at: iso(order.createdAt),
    updated_at: iso(order.updatedAt),
    submitted_at: iso(order.submittedAt),
    filled_at:
      order.status === 'filled' || order.status === 'partially_filled' || order.filledQtyNano > 0n
        ? iso(order.filledAt)
        : null,
    expired_at: iso(order.expiredAt),
    canceled_at: iso(order.canceledAt),
    failed_at: null,
    replaced_at: iso(order.replacedAt),
    replaced_by: order.replacedBy,
    replaces: order.replaces,
    asset_id: order.assetId,
    symbol: order.symbol,
    asset_class: 'us_equity',
    notional: order.notionalMicro === null ? null : formatMoney(order.notionalMicro),
    qty: order.qtyNano === null ? null : formatQty(order.qtyNano),
    filled_qty: formatQty(order.filledQtyNano),
    filled_avg_price: filledAvg,
    order_class: 'simple',
    order_type: order.type,
    type: order.type,
    side: order.side,
    position_intent: order.side === 'buy' ? 'buy_to_open' : 'sell_to_close',
    time_in_force: order.timeInForce,
    limit_price: order.limitMicro === null ? null : formatMoney(order.limitMicro),
    stop_price: order.stopMicro === null ? null : formatMoney(order.stopMicro),
    status: order.status,
    extended_hours: order.extendedHours,
    legs: null,
    trail_percent: order.trailPercent,
    trail_price: order.trailPriceMicro === null ? null : formatMoney(order.trailPriceMicro),
    hwm: order.hwmMicro === null ? null : formatMoney(order.hwmMicro),
    subtag: null,
    source: null,
    expires_at: iso(order.expiresAt),
  };
}

/** Close of the trading day before the current (or most recent) session: Alpaca's "lastday" reference. */
export function previousCloseInstant(now: number): number {
  const current = latestSessionAt(now);
  return sessionOf(previousTradingDay(current.day))?.close ?? current.open;
}

export function positionToWire(
  ctx: EngineContext,
  position: Position,
  now: number,
  openSellQty: bigint,
): Record<string, unknown> {
  const asset = ctx.assets.get(position.symbol);
  const currentMicro = centsToMicros(ctx.path.priceAt(position.symbol, now));
  const lastdayMicro = centsToMicros(ctx.path.priceAt(position.symbol, previousCloseInstant(now)));
  const marketValue = mulDivRound(position.qtyNano, currentMicro, NANO);
  const lastdayValue = mulDivRound(position.qtyNano, lastdayMicro, NANO);
  const unrealized = marketValue - position.costMicro;
  const intraday = marketValue - lastdayValue;
  return {
    asset_id: position.assetId,
    symbol: position.symbol,
    exchange: asset?.exchange ?? 'NASDAQ',
    asset_class: 'us_equity',
    asset_marginable: true,
    qty: formatQty(position.qtyNano),
    qty_available: formatQty(position.qtyNano - openSellQty),
    avg_entry_price: formatMoney(mulDivRound(position.costMicro, NANO, position.qtyNano)),
    side: 'long',
    market_value: formatMoney(marketValue),
    cost_basis: formatMoney(position.costMicro),
    unrealized_pl: formatMoney(unrealized),
    unrealized_plpc: formatRatio(unrealized, position.costMicro),
    unrealized_intraday_pl: formatMoney(intraday),
    unrealized_intraday_plpc: formatRatio(intraday, lastdayValue),
    current_price: formatMoney(currentMicro),
    lastday_price: formatMoney(lastdayMicro),
    change_today: formatRatio(currentMicro - lastdayMicro, lastdayMicro),
  };
}

export function openSellQty(account: Account, symbol: string): bigint {
  let total = 0n;
  for (const order of account.orders) {
    if (order.symbol === symbol && order.side === 'sell' && OPEN_STATUSES.has(order.status))
      total += order.reservedQtyNano;
  }
  return total;
}

/**
 * Replays the fills to value the account at each instant (ascending): cash plus every holding at the path price.
 * Fills are recorded in time order, so one pass suffices.
 */
export function equitySeries(ctx: EngineContext, account: Account, instants: readonly number[]): bigint[] {
  let cash = account.startingCashMicro;
  const holdings = new Map<string, bigint>();
  let next = 0;
  const fills: readonly Fill[] = account.fills;
  return instants.map((at) => {
    for (let fill = fills[next]; fill && fill.at <= at; fill = fills[next]) {
      const value = mulDivRound(fill.qtyNano, fill.priceMicro, NANO);
      const held = holdings.get(fill.symbol) ?? 0n;
      if (fill.side === 'buy') {
        cash -= value;
        holdings.set(fill.symbol, held + fill.qtyNano);
      } else {
        cash += value;
        holdings.set(fill.symbol, held - fill.qtyNano);
      }
      next += 1;
    }
    let equity = cash;
    for (const [symbol, qty] of holdings) {
      if (qty !== 0n) equity += mulDivRound(qty, centsToMicros(ctx.path.priceAt(symbol, at)), NANO);
    }
    return equity;
  });
}

export function accountToWire(ctx: EngineContext, account: Account, now: number): Record<string, unknown> {
  let longMarketValue = 0n;
  for (const position of account.positions.values()) {
    longMarketValue += mulDivRound(position.qtyNano, centsToMicros(ctx.path.priceAt(position.symbol, now)), NANO);
  }
  const equity = account.cashMicro + longMarketValue;
  const previousClose = previousCloseInstant(now);
  const [lastEquity] =
    previousClose >= account.createdAt ? equitySeries(ctx, account, [previousClose]) : [account.startingCashMicro];
  const power = formatMoney(buyingPower(account));
  return {
    id: account.id,
    admin_configurations: {},
    user_configurations: null,
    account_number: account.accountNumber,
    status: 'ACTIVE',
    crypto_status: 'INACTIVE',
    options_approved_level: 0,
    options_trading_level: 0,
    currency: 'USD',
    buying_power: power,
    regt_buying_power: power,
    daytrading_buying_power: '0',
    effective_buying_power: power,
    non_marginable_buying_power: power,
    options_buying_power: power,
    bod_dtbp: '0',
    cash: formatMoney(account.cashMicro),
    accrued_fees: '0',
    portfolio_value: formatMoney(equity),
    pattern_day_trader: false,
    trading_blocked: false,
    transfers_blocked: false,
    account_blocked: false,
    created_at: new Date(account.createdAt).toISOString(),
    trade_suspended_by_user: false,
    // A cash account: buying power is settled cash less what open buy orders hold back, and no shorting.
    multiplier: '1',
    shorting_enabled: false,
    equity: formatMoney(equity),
    last_equity: formatMoney(lastEquity ?? account.startingCashMicro),
    long_market_value: formatMoney(longMarketValue),
    short_market_value: '0',
    position_market_value: formatMoney(longMarketValue),
    initial_margin: '0',
    maintenance_margin: '0',
    last_maintenance_margin: '0',
    sma: '0',
    daytrade_count: 0,
    balance_asof: formatDateString(latestSessionAt(previousClose).day),
    crypto_tier: 0,
    intraday_adjustments: '0',
    pending_reg_taf_fees: '0',
  };
}

/** A FILL activity as GET /v2/account/activities returns it. */
export function fillToActivity(fill: Fill, orderStatus: string): Record<string, unknown> {
  const stamp = new Date(fill.at).toISOString().replace(/[-:TZ.]/g, '');
  return {
    id: `${stamp}::${fill.orderId.slice(0, 8)}-${String(fill.seq).padStart(4, '0')}`,
    activity_type: 'FILL',
    transaction_time: new Date(fill.at).toISOString(),
    type: fill.final ? 'fill' : 'partial_fill',
    price: formatMoney(fill.priceMicro),
    qty: formatQty(fill.qtyNano),
    side: fill.side,
    symbol: fill.symbol,
    leaves_qty: formatQty(fill.leavesQtyNano),
    order_id: fill.orderId,
    cum_qty: formatQty(fill.cumQtyNano),
    order_status: orderStatus,
  };
}
