import type { FastifyInstance } from 'fastify';
import { badRequest } from '../errors.js';
import { easternDay, easternToUtc } from '../market-calendar.js';
import {
  barToWire,
  decodePageToken,
  encodePageToken,
  parseInstant,
  parseLimit,
  parseTimeframe,
  type MarketData,
} from '../market-data.js';
import type { RawBar } from '../price-path.js';
import { symbolList, type AlpacaRouteDeps, type Query } from './context.js';

interface BarsPage {
  bars: Map<string, RawBar[]>;
  nextPageToken: string | null;
}

/**
 * One page of bars across symbols (alphabetical, then by time), `limit` bars in total, like Alpaca's multi-symbol
 * endpoint; the token names the next bar to return.
 */
function pageBars(market: MarketData, symbols: string[], query: Query, now: number): BarsPage {
  const timeframe = parseTimeframe(query.timeframe);
  // Alpaca defaults start to the beginning of the current day and end to now.
  const start = parseInstant(query.start, 'start') ?? easternToUtc(easternDay(now), 0);
  const end = parseInstant(query.end, 'end') ?? now;
  const limit = parseLimit(query.limit);
  const sort = query.sort ?? 'asc';
  if (sort !== 'asc' && sort !== 'desc') throw badRequest('invalid sort');
  const token = decodePageToken(query.page_token);

  const page: BarsPage = { bars: new Map(), nextPageToken: null };
  let count = 0;
  for (const symbol of [...symbols].sort()) {
    if (token && symbol < token.symbol) continue;
    let bars = market.bars(symbol, timeframe, start, end, now);
    if (sort === 'desc') bars = bars.reverse();
    if (token && symbol === token.symbol)
      bars = bars.filter((bar) => (sort === 'asc' ? bar.t >= token.t : bar.t <= token.t));
    for (const bar of bars) {
      if (count === limit) {
        page.nextPageToken = encodePageToken(symbol, bar.t);
        return page;
      }
      const list = page.bars.get(symbol) ?? [];
      list.push(bar);
      page.bars.set(symbol, list);
      count += 1;
    }
  }
  return page;
}

/** Routes of the market data API (data.alpaca.markets), served on the same app as trading. */
export function registerMarketDataRoutes(app: FastifyInstance, deps: AlpacaRouteDeps): void {
  const { market } = deps;

  app.get<{ Querystring: Query }>('/v2/stocks/bars', async (request) => {
    const symbols = symbolList(request.query.symbols);
    if (symbols.length === 0) throw badRequest('symbols is required');
    const page = pageBars(market, symbols, request.query, deps.now());
    const bars: Record<string, unknown[]> = {};
    for (const [symbol, list] of page.bars) bars[symbol] = list.map(barToWire);
    return { bars, next_page_token: page.nextPageToken, currency: 'USD' };
  });

  app.get<{ Params: { symbol: string }; Querystring: Query }>('/v2/stocks/:symbol/bars', async (request) => {
    const symbol = request.params.symbol.toUpperCase();
    const page = pageBars(market, [symbol], request.query, deps.now());
    return {
      bars: (page.bars.get(symbol) ?? []).map(barToWire),
      symbol,
      next_page_token: page.nextPageToken,
      currency: 'USD',
    };
  });

  app.get<{ Params: { symbol: string } }>('/v2/stocks/:symbol/bars/latest', async (request) => {
    const bar = market.latestBar(request.params.symbol, deps.now());
    return { symbol: request.params.symbol.toUpperCase(), bar: bar ? barToWire(bar) : null };
  });

  app.get<{ Querystring: Query }>('/v2/stocks/bars/latest', async (request) => {
    const bars: Record<string, unknown> = {};
    for (const symbol of symbolList(request.query.symbols).filter((s) => market.asset(s))) {
      const bar = market.latestBar(symbol, deps.now());
      if (bar) bars[symbol] = barToWire(bar);
    }
    return { bars };
  });

  app.get<{ Params: { symbol: string }; Querystring: Query }>('/v2/stocks/:symbol/quotes/latest', async (request) => ({
    symbol: request.params.symbol.toUpperCase(),
    quote: market.latestQuote(request.params.symbol, deps.now(), request.query.feed),
  }));

  app.get<{ Querystring: Query }>('/v2/stocks/quotes/latest', async (request) => {
    const quotes: Record<string, unknown> = {};
    for (const symbol of symbolList(request.query.symbols).filter((s) => market.asset(s))) {
      quotes[symbol] = market.latestQuote(symbol, deps.now(), request.query.feed);
    }
    return { quotes };
  });

  app.get<{ Params: { symbol: string }; Querystring: Query }>('/v2/stocks/:symbol/trades/latest', async (request) => ({
    symbol: request.params.symbol.toUpperCase(),
    trade: market.latestTrade(request.params.symbol, deps.now(), request.query.feed),
  }));

  app.get<{ Querystring: Query }>('/v2/stocks/trades/latest', async (request) => {
    const trades: Record<string, unknown> = {};
    for (const symbol of symbolList(request.query.symbols).filter((s) => market.asset(s))) {
      trades[symbol] = market.latestTrade(symbol, deps.now(), request.query.feed);
    }
    return { trades };
  });

  app.get<{ Params: { symbol: string }; Querystring: Query }>('/v2/stocks/:symbol/snapshot', async (request) => ({
    symbol: request.params.symbol.toUpperCase(),
    ...market.snapshot(request.params.symbol, deps.now(), request.query.feed),
  }));

  app.get<{ Querystring: Query }>('/v2/stocks/snapshots', async (request) => {
    const snapshots: Record<string, unknown> = {};
    for (const symbol of symbolList(request.query.symbols).filter((s) => market.asset(s))) {
      snapshots[symbol] = market.snapshot(symbol, deps.now(), request.query.feed);
    }
    return snapshots;
  });
}
