import type { FastifyInstance } from 'fastify';
import { OPEN_STATUSES, type Order } from '../account-store.js';
import { assetToWire } from '../assets.js';
import { QTY_SCALE, formatQty, mulDivFloor, parseDecimal } from '../decimal.js';
import { notFound, unprocessable } from '../errors.js';
import {
  SESSION_CLOSE_MINUTE,
  SESSION_OPEN_MINUTE,
  closeMinuteOf,
  easternDay,
  formatClockMinute,
  formatDateString,
  formatEastern,
  nextSessionAfter,
  nextTradingDay,
  openSessionAt,
  parseDateString,
  sessionOf,
} from '../market-calendar.js';
import { cancelOrder, findOrder, replaceOrder, submitOrder, type OrderRequestBody } from '../order-engine.js';
import { portfolioHistory } from '../portfolio-history.js';
import { accountToWire, fillToActivity, openSellQty, orderToWire, positionToWire } from '../wire.js';
import { symbolList, type AlpacaRouteDeps, type Query } from './context.js';

const DEFAULT_ORDER_LIMIT = 50;
const MAX_ORDER_LIMIT = 500;

function parseTimeParam(text: string | undefined, field: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw unprocessable(`invalid ${field}`);
  return ms;
}

/** Routes of the trading API (paper-api.alpaca.markets). */
export function registerTradingRoutes(app: FastifyInstance, deps: AlpacaRouteDeps): void {
  const { ctx } = deps;

  app.get('/v2/account', async (request) => accountToWire(ctx, deps.accountOf(request), deps.now()));

  app.get('/v2/clock', async () => {
    const now = deps.now();
    const open = openSessionAt(now);
    const next = nextSessionAfter(now);
    return {
      timestamp: formatEastern(now, true),
      is_open: open !== undefined,
      next_open: formatEastern(next.open),
      next_close: formatEastern(open ? open.close : next.close),
    };
  });

  app.get<{ Querystring: Query }>('/v2/calendar', async (request) => {
    const today = easternDay(deps.now());
    const start = request.query.start ? parseDateString(request.query.start.slice(0, 10)) : today;
    const end = request.query.end ? parseDateString(request.query.end.slice(0, 10)) : (start ?? today) + 30;
    if (start === undefined) throw unprocessable('invalid start');
    if (end === undefined) throw unprocessable('invalid end');
    const days: Record<string, unknown>[] = [];
    for (let day = start; day <= end; day += 1) {
      if (!sessionOf(day)) continue;
      days.push({
        date: formatDateString(day),
        open: formatClockMinute(9 * 60 + 30),
        close: formatClockMinute(closeMinuteOf(day)),
        session_open: formatClockMinute(SESSION_OPEN_MINUTE, ''),
        session_close: formatClockMinute(SESSION_CLOSE_MINUTE, ''),
        // US equities settle T+1 since 2024-05-28.
        settlement_date: formatDateString(nextTradingDay(day)),
      });
    }
    return days;
  });

  app.get<{ Querystring: Query }>('/v2/assets', async (request) => {
    const { status, asset_class: assetClass, exchange } = request.query;
    if (status === 'inactive' || (assetClass !== undefined && assetClass !== 'us_equity')) return [];
    return [...ctx.assets.values()]
      .filter((asset) => exchange === undefined || asset.exchange === exchange)
      .map(assetToWire);
  });

  app.get<{ Params: { symbol: string } }>('/v2/assets/:symbol', async (request) => {
    const key = request.params.symbol;
    const asset =
      ctx.assets.get(key.toUpperCase()) ?? [...ctx.assets.values()].find((candidate) => candidate.id === key);
    if (!asset) throw notFound(`asset not found for ${key}`);
    return assetToWire(asset);
  });

  app.post<{ Body: OrderRequestBody | undefined }>('/v2/orders', async (request) => {
    if (!request.body || typeof request.body !== 'object') throw unprocessable('request body must be a JSON object');
    return orderToWire(submitOrder(ctx, deps.accountOf(request), request.body, deps.now()));
  });

  app.get<{ Querystring: Query }>('/v2/orders', async (request) => {
    const query = request.query;
    const status = query.status ?? 'open';
    if (!['open', 'closed', 'all'].includes(status)) throw unprocessable('invalid status');
    const limit = query.limit === undefined ? DEFAULT_ORDER_LIMIT : Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_ORDER_LIMIT) throw unprocessable('invalid limit');
    const direction = query.direction ?? 'desc';
    if (direction !== 'asc' && direction !== 'desc') throw unprocessable('invalid direction');
    const after = parseTimeParam(query.after, 'after');
    const until = parseTimeParam(query.until, 'until');
    const symbols = new Set(symbolList(query.symbols));
    const orders = deps
      .accountOf(request)
      .orders.filter((order: Order) => {
        const open = OPEN_STATUSES.has(order.status);
        if (status === 'open' && !open) return false;
        if (status === 'closed' && open) return false;
        if (after !== undefined && order.submittedAt <= after) return false;
        if (until !== undefined && order.submittedAt >= until) return false;
        if (symbols.size > 0 && !symbols.has(order.symbol)) return false;
        if (query.side !== undefined && order.side !== query.side) return false;
        return true;
      })
      .sort((a, b) => (a.submittedAt - b.submittedAt || a.seq - b.seq) * (direction === 'asc' ? 1 : -1));
    return orders.slice(0, limit).map(orderToWire);
  });

  app.get<{ Querystring: Query }>('/v2/orders::by_client_order_id', async (request) => {
    const clientOrderId = request.query.client_order_id;
    if (!clientOrderId) throw unprocessable('client_order_id is required');
    const order = deps.accountOf(request).ordersByClientId.get(clientOrderId);
    if (!order) throw notFound('order not found');
    return orderToWire(order);
  });

  app.get<{ Params: { id: string } }>('/v2/orders/:id', async (request) =>
    orderToWire(findOrder(deps.accountOf(request), request.params.id)),
  );

  app.patch<{ Params: { id: string }; Body: OrderRequestBody | undefined }>('/v2/orders/:id', async (request) =>
    orderToWire(replaceOrder(ctx, deps.accountOf(request), request.params.id, request.body ?? {}, deps.now())),
  );

  app.delete<{ Params: { id: string } }>('/v2/orders/:id', async (request, reply) => {
    cancelOrder(deps.accountOf(request), request.params.id, deps.now());
    return reply.code(204).send();
  });

  // Alpaca answers 207 Multi-Status with one entry per order it tried to cancel.
  app.delete('/v2/orders', async (request, reply) => {
    const account = deps.accountOf(request);
    const now = deps.now();
    const results = account.orders
      .filter((order) => OPEN_STATUSES.has(order.status))
      .map((order) => ({ id: order.id, status: 200, body: orderToWire(cancelOrder(account, order.id, now)) }));
    return reply.code(207).send(results);
  });

  app.get('/v2/positions', async (request) => {
    const account = deps.accountOf(request);
    const now = deps.now();
    return [...account.positions.values()]
      .sort((a, b) => (a.symbol < b.symbol ? -1 : 1))
      .map((position) => positionToWire(ctx, position, now, openSellQty(account, position.symbol)));
  });

  app.get<{ Params: { symbol: string } }>('/v2/positions/:symbol', async (request) => {
    const account = deps.accountOf(request);
    const position =
      account.positions.get(request.params.symbol.toUpperCase()) ??
      [...account.positions.values()].find((p) => p.assetId === request.params.symbol);
    if (!position) throw notFound('position does not exist');
    return positionToWire(ctx, position, deps.now(), openSellQty(account, position.symbol));
  });

  app.delete<{ Params: { symbol: string }; Querystring: Query }>('/v2/positions/:symbol', async (request) => {
    const account = deps.accountOf(request);
    const position = account.positions.get(request.params.symbol.toUpperCase());
    if (!position) throw notFound('position does not exist');
    let qtyNano = position.qtyNano - openSellQty(account, position.symbol);
    if (request.query.qty !== undefined) {
      const parsed = parseDecimal(request.query.qty, QTY_SCALE);
      if (parsed === undefined) throw unprocessable('invalid qty');
      qtyNano = parsed;
    } else if (request.query.percentage !== undefined) {
      const percent = parseDecimal(request.query.percentage, 6);
      if (percent === undefined || percent > 100_000_000n) throw unprocessable('invalid percentage');
      qtyNano = mulDivFloor(position.qtyNano, percent, 100_000_000n);
      if (!ctx.assets.get(position.symbol)?.fractionable) qtyNano -= qtyNano % 1_000_000_000n;
    }
    const body = {
      symbol: position.symbol,
      qty: formatQty(qtyNano),
      side: 'sell',
      type: 'market',
      time_in_force: 'day',
    };
    return orderToWire(submitOrder(ctx, account, body, deps.now()));
  });

  app.delete<{ Querystring: Query }>('/v2/positions', async (request, reply) => {
    const account = deps.accountOf(request);
    const now = deps.now();
    if (request.query.cancel_orders === 'true') {
      for (const order of account.orders) if (OPEN_STATUSES.has(order.status)) cancelOrder(account, order.id, now);
    }
    const results = [...account.positions.values()].map((position) => {
      const qty = formatQty(position.qtyNano - openSellQty(account, position.symbol));
      const order = submitOrder(
        ctx,
        account,
        { symbol: position.symbol, qty, side: 'sell', type: 'market', time_in_force: 'day' },
        now,
      );
      return { symbol: position.symbol, status: 200, body: orderToWire(order) };
    });
    return reply.code(207).send(results);
  });

  app.get<{ Querystring: Query }>('/v2/account/portfolio/history', async (request) =>
    portfolioHistory(ctx, deps.accountOf(request), request.query, deps.now()),
  );

  const activities = (
    activityTypes: string[],
    query: Query,
    accountRequest: Parameters<AlpacaRouteDeps['accountOf']>[0],
  ) => {
    const account = deps.accountOf(accountRequest);
    if (activityTypes.length > 0 && !activityTypes.includes('FILL')) return [];
    const direction = query.direction ?? 'desc';
    const pageSize = query.page_size === undefined ? 100 : Number(query.page_size);
    if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 100) throw unprocessable('invalid page_size');
    const after = parseTimeParam(query.after, 'after');
    const until = parseTimeParam(query.until, 'until');
    let list = account.fills
      .filter((fill) => (after === undefined || fill.at > after) && (until === undefined || fill.at < until))
      .map((fill) => fillToActivity(fill, account.ordersById.get(fill.orderId)?.status ?? 'filled'));
    if (direction === 'desc') list = list.reverse();
    if (query.page_token) {
      const index = list.findIndex((activity) => activity.id === query.page_token);
      list = index >= 0 ? list.slice(index + 1) : [];
    }
    return list.slice(0, pageSize);
  };

  app.get<{ Querystring: Query }>('/v2/account/activities', async (request) =>
    activities(symbolList(request.query.activity_types), request.query, request),
  );

  app.get<{ Params: { type: string }; Querystring: Query }>('/v2/account/activities/:type', async (request) =>
    activities([request.params.type.toUpperCase()], request.query, request),
  );
}
