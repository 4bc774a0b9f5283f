import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Alpaca, trading, type ApiError } from '@alpacahq/alpaca-trade-api';
import type { AlpacaEmulator } from '../src/alpaca/index.js';
import { startSandbox, type Sandbox } from '../src/core/server.js';
import type { SandboxClock } from '../src/core/types.js';

/**
 * How to point the official SDK (4.x) at the sandbox. The `Alpaca` facade has no base URL option, but it accepts
 * `middleware`: a `pre` hook that swaps the host of every request (paper-api.alpaca.markets for trading,
 * data.alpaca.markets for market data) for the sandbox's, keeping path and query. Both APIs are served by the same
 * app, so one base URL is enough. `retry: false` and `rateLimit: false` turn off the client's own retries and its
 * ~200 requests/minute throttle. The generated API classes also work directly with
 * `new trading.Configuration({ basePath, keyId, secret })` (see the last test).
 */
function redirect(baseUrl: string): trading.Middleware {
  return {
    async pre({ url, init }) {
      const target = new URL(url);
      return { url: `${baseUrl}${target.pathname}${target.search}`, init };
    },
  };
}

function sandboxClient(baseUrl: string, keyId: string, secret = `${keyId}-secret`): Alpaca {
  return new Alpaca({ keyId, secret, retry: false, rateLimit: false, middleware: [redirect(baseUrl)] });
}

interface Harness {
  sandbox: Sandbox;
  emulator: AlpacaEmulator;
  clock: SandboxClock;
  baseUrl: string;
}

const harnesses: Harness[] = [];

async function startEmulator(seed: string, at: string): Promise<Harness> {
  const sandbox = await startSandbox({ seed, now: new Date(at), ports: { stripe: 0, plaid: 0, alpaca: 0, admin: 0 } });
  const harness = { sandbox, emulator: sandbox.alpaca, clock: sandbox.clock, baseUrl: sandbox.urls.alpaca };
  harnesses.push(harness);
  return harness;
}

/** Rejection of an SDK call, as the SDK's typed error. */
async function failure(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    return error as ApiError;
  }
  throw new Error('expected the call to fail');
}

// Tuesday 2026-03-10, 11:00 New York time (EDT, two days after the switch to daylight time).
const TUESDAY_MORNING = '2026-03-10T15:00:00Z';
let keyCounter = 0;
const freshKey = (): string => `PKTEST${String((keyCounter += 1)).padStart(4, '0')}`;

describe('alpaca emulator through @alpacahq/alpaca-trade-api', () => {
  let harness: Harness;

  beforeAll(async () => {
    harness = await startEmulator('alpaca-test', TUESDAY_MORNING);
  });

  // Back to the seeded state and to Tuesday morning (the sandbox's `now`) after each test.
  afterEach(() => {
    harness.sandbox.reset();
  });

  afterAll(async () => {
    await Promise.all(harnesses.map((h) => h.sandbox.close()));
  });

  it('opens a funded paper account per key pair and refuses other credentials', async () => {
    const key = freshKey();
    const alpaca = sandboxClient(harness.baseUrl, key);
    const account = await alpaca.trading.account.getAccount();
    expect(account).toMatchObject({
      status: 'ACTIVE',
      currency: 'USD',
      cash: '100000',
      buyingPower: '100000',
      equity: '100000',
    });
    expect(account.accountNumber).toMatch(/^PA\d{10}$/);
    // Fields outside the SDK's model stay on the object under their wire names.
    expect(account['pattern_day_trader']).toBe(false);
    expect(account.tradingBlocked).toBe(false);

    const wrongSecret = await failure(
      sandboxClient(harness.baseUrl, key, 'not-the-secret').trading.account.getAccount(),
    );
    expect(wrongSecret).toMatchObject({ status: 403, code: 40110000 });

    const oauthOnly = new Alpaca({
      accessToken: 'token',
      retry: false,
      rateLimit: false,
      middleware: [redirect(harness.baseUrl)],
    });
    expect(await failure(oauthOnly.trading.account.getAccount())).toMatchObject({
      status: 401,
      code: 40110000,
      message: 'request is not authorized',
    });
  });

  it('follows New York market hours, across a weekend and a daylight-saving change', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    const open = await alpaca.trading.clock.legacyClock();
    expect(open.isOpen).toBe(true);
    expect(open.nextClose.toISOString()).toBe('2026-03-10T20:00:00.000Z');
    expect(open.nextOpen.toISOString()).toBe('2026-03-11T13:30:00.000Z');

    // Friday 2026-03-06 16:30 EST: closed; the next open is Monday 09:30 EDT (clocks changed on Sunday the 8th).
    harness.clock.set(new Date('2026-03-06T21:30:00Z'));
    const weekend = await alpaca.trading.clock.legacyClock();
    expect(weekend.isOpen).toBe(false);
    expect(weekend.nextOpen.toISOString()).toBe('2026-03-09T13:30:00.000Z');
    expect(weekend.nextClose.toISOString()).toBe('2026-03-09T20:00:00.000Z');

    // Good Friday 2026-04-03 is an exchange holiday.
    harness.clock.set(new Date('2026-04-03T15:00:00Z'));
    const holiday = await alpaca.trading.clock.legacyClock();
    expect(holiday.isOpen).toBe(false);
    expect(holiday.nextOpen.toISOString()).toBe('2026-04-06T13:30:00.000Z');
  });

  it('lists the seeded assets', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    const assets = await alpaca.trading.assets.getV2Assets({});
    expect(assets.length).toBeGreaterThanOrEqual(20);
    const aapl = await alpaca.trading.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'AAPL' });
    expect(aapl).toMatchObject({
      symbol: 'AAPL',
      _class: 'us_equity',
      exchange: 'NASDAQ',
      tradable: true,
      fractionable: true,
    });
    expect(await failure(alpaca.trading.assets.getV2AssetsSymbolOrAssetId({ symbolOrAssetId: 'NOPE' }))).toMatchObject({
      status: 404,
    });
  });

  it('fills a market buy at the path price and opens the position', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    const { trade } = await alpaca.marketData.stocks.stockLatestTradeSingle({ symbol: 'AAPL' });
    const submitted = await alpaca.trading.orders.market({
      symbol: 'AAPL',
      qty: 3,
      side: 'buy',
      clientOrderId: 'first-buy',
    });
    expect(submitted).toMatchObject({
      status: 'pending_new',
      type: 'market',
      timeInForce: 'day',
      qty: '3',
      filledQty: '0',
      orderClass: 'simple',
    });
    expect(submitted.id).toMatch(/^[0-9a-f-]{36}$/);

    const filled = await alpaca.trading.orders.getOrderByOrderID({ orderId: submitted.id ?? '' });
    expect(filled.status).toBe('filled');
    expect(filled.filledQty).toBe('3');
    expect(Number(filled.filledAvgPrice)).toBe(trade.p);
    expect(filled.filledAt?.toISOString()).toBe(TUESDAY_MORNING.replace('Z', '.000Z'));
    const byClientId = await alpaca.trading.orders.getOrderByClientOrderId({ clientOrderId: 'first-buy' });
    expect(byClientId.id).toBe(submitted.id);

    const position = await alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: 'AAPL' });
    expect(position).toMatchObject({
      symbol: 'AAPL',
      qty: '3',
      side: 'long',
      exchange: 'NASDAQ',
      assetClass: 'us_equity',
    });
    expect(Number(position.avgEntryPrice)).toBe(trade.p);
    expect(Number(position.costBasis)).toBeCloseTo(trade.p * 3, 6);

    const account = await alpaca.trading.account.getAccount();
    expect(Number(account.cash)).toBeCloseTo(100_000 - trade.p * 3, 6);
    expect(Number(account.longMarketValue)).toBeCloseTo(trade.p * 3, 6);

    const activities = await alpaca.trading.accountActivities.getAccountActivitiesByActivityType({
      activityType: 'FILL',
    });
    expect(activities).toHaveLength(1);
  });

  it('keeps a limit order open, cancels it, and refuses to cancel a filled order', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    const price = Number(harness.emulator.priceOf('MSFT'));
    const resting = await alpaca.trading.orders.limit({
      symbol: 'MSFT',
      qty: 2,
      side: 'buy',
      limitPrice: (Math.floor(price * 50) / 100).toFixed(2),
      timeInForce: 'gtc',
    });
    harness.emulator.advance(30 * 60_000);
    const open = await alpaca.trading.orders.getAllOrders({ status: 'open' });
    expect(open.map((order) => [order.id, order.status])).toEqual([[resting.id, 'new']]);

    await alpaca.trading.orders.deleteOrderByOrderID({ orderId: resting.id ?? '' });
    const canceled = await alpaca.trading.orders.getOrderByOrderID({ orderId: resting.id ?? '' });
    expect(canceled.status).toBe('canceled');
    expect(canceled.canceledAt).toBeInstanceOf(Date);
    expect(await alpaca.trading.orders.getAllOrders({ status: 'open' })).toEqual([]);

    const market = await alpaca.trading.orders.market({ symbol: 'MSFT', qty: 1, side: 'buy' });
    expect((await alpaca.trading.orders.getOrderByOrderID({ orderId: market.id ?? '' })).status).toBe('filled');
    const refusal = await failure(alpaca.trading.orders.deleteOrderByOrderID({ orderId: market.id ?? '' }));
    expect(refusal).toMatchObject({ status: 422, code: 42210000 });
  });

  it('fills a resting limit order when the price crosses it, at the crossing price', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    harness.emulator.setPrice('KO', '62.00');
    const order = await alpaca.trading.orders.limit({ symbol: 'KO', qty: 10, side: 'buy', limitPrice: '61.50' });
    harness.emulator.advance(5 * 60_000);
    expect((await alpaca.trading.orders.getOrderByOrderID({ orderId: order.id ?? '' })).status).toBe('new');

    harness.emulator.setPrice('KO', '61.40');
    const filled = await alpaca.trading.orders.getOrderByOrderID({ orderId: order.id ?? '' });
    expect(filled).toMatchObject({ status: 'filled', filledQty: '10', filledAvgPrice: '61.4' });
    const position = await alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: 'KO' });
    expect(position).toMatchObject({ qty: '10', avgEntryPrice: '61.4', currentPrice: '61.4', unrealizedPl: '0' });
  });

  it('refuses orders the way Alpaca does', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());

    const tooBig = await failure(alpaca.trading.orders.market({ symbol: 'SPY', qty: 10_000, side: 'buy' }));
    expect(tooBig).toMatchObject({ status: 403, code: 40310000, message: 'insufficient buying power' });

    const nothingToSell = await failure(alpaca.trading.orders.market({ symbol: 'SPY', qty: 1, side: 'sell' }));
    expect(nothingToSell).toMatchObject({ status: 403, code: 40310000 });
    expect(nothingToSell.message).toMatch(/^insufficient qty available for order/);

    // 11:00 ET is inside the 09:28–19:00 window in which Alpaca refuses market-on-open orders.
    const lateOpg = await failure(
      alpaca.trading.orders.postOrder({
        postOrderRequest: { symbol: 'SPY', qty: '1', side: 'buy', type: 'market', timeInForce: 'opg' },
      }),
    );
    expect(lateOpg).toMatchObject({ status: 422, code: 42210000 });

    const notionalLimit = await failure(
      alpaca.trading.orders.postOrder({
        postOrderRequest: {
          symbol: 'SPY',
          notional: '100',
          side: 'buy',
          type: 'limit',
          limitPrice: '100',
          timeInForce: 'day',
        },
      }),
    );
    expect(notionalLimit).toMatchObject({ status: 422, code: 42210000 });

    const both = await failure(
      alpaca.trading.orders.postOrder({
        postOrderRequest: { symbol: 'SPY', qty: '1', notional: '100', side: 'buy', type: 'market', timeInForce: 'day' },
      }),
    );
    expect(both.status).toBe(422);

    const noLimit = await failure(
      alpaca.trading.orders.postOrder({
        postOrderRequest: { symbol: 'SPY', qty: '1', side: 'buy', type: 'limit', timeInForce: 'day' },
      }),
    );
    expect(noLimit.status).toBe(422);

    await alpaca.trading.orders.market({ symbol: 'SPY', qty: 1, side: 'buy', clientOrderId: 'only-once' });
    const duplicate = await failure(
      alpaca.trading.orders.market({ symbol: 'SPY', qty: 1, side: 'buy', clientOrderId: 'only-once' }),
    );
    expect(duplicate).toMatchObject({ status: 422, message: 'client_order_id must be unique' });

    // Before 09:28 the same opg order is accepted and fills in the opening auction.
    harness.clock.set(new Date('2026-03-11T12:00:00Z'));
    const opg = await alpaca.trading.orders.postOrder({
      postOrderRequest: { symbol: 'SPY', qty: '1', side: 'buy', type: 'market', timeInForce: 'opg' },
    });
    expect(opg.status).toBe('accepted');
    harness.emulator.advance(3 * 60 * 60_000);
    const auction = await alpaca.trading.orders.getOrderByOrderID({ orderId: opg.id ?? '' });
    expect(auction.status).toBe('filled');
    expect(auction.filledAt?.toISOString()).toBe('2026-03-11T13:30:00.000Z');
  });

  it('fills a fractional notional market day order', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    const price = Number(harness.emulator.priceOf('NVDA'));
    const order = await alpaca.trading.orders.market({ symbol: 'NVDA', notional: '250.50', side: 'buy' });
    expect(order).toMatchObject({ notional: '250.5' });
    expect(order.qty).toBeUndefined();

    const filled = await alpaca.trading.orders.getOrderByOrderID({ orderId: order.id ?? '' });
    expect(filled.status).toBe('filled');
    const qty = Number(filled.filledQty);
    expect(filled.filledQty).toMatch(/^\d+\.\d{1,9}$/);
    expect(qty * price).toBeLessThanOrEqual(250.5);
    expect(qty * price).toBeGreaterThan(250.49);

    const wholeOnly = await failure(alpaca.trading.orders.market({ symbol: 'AGG', notional: '50', side: 'buy' }));
    expect(wholeOnly.status).toBe(422);
  });

  it('fills large orders against minute volume: partial fills, IOC remainder canceled, FOK all or nothing', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    harness.emulator.setPrice('AGG', '1.00');
    const large = { symbol: 'AGG', qty: 9_000, side: 'buy' } as const;
    const ioc = await alpaca.trading.orders.market({ ...large, timeInForce: 'ioc' });
    const fok = await alpaca.trading.orders.market({ ...large, timeInForce: 'fok' });
    const day = await alpaca.trading.orders.market(large);

    const iocAfter = await alpaca.trading.orders.getOrderByOrderID({ orderId: ioc.id ?? '' });
    expect(iocAfter.status).toBe('canceled');
    expect(Number(iocAfter.filledQty)).toBeGreaterThan(0);
    expect(Number(iocAfter.filledQty)).toBeLessThan(9_000);
    expect(Number.isInteger(Number(iocAfter.filledQty))).toBe(true);
    expect(await alpaca.trading.orders.getOrderByOrderID({ orderId: fok.id ?? '' })).toMatchObject({
      status: 'canceled',
      filledQty: '0',
    });
    expect((await alpaca.trading.orders.getOrderByOrderID({ orderId: day.id ?? '' })).status).toBe('partially_filled');

    harness.emulator.advance(60 * 60_000);
    expect(await alpaca.trading.orders.getOrderByOrderID({ orderId: day.id ?? '' })).toMatchObject({
      status: 'filled',
      filledQty: '9000',
    });
    const position = await alpaca.trading.positions.getOpenPosition({ symbolOrAssetId: 'AGG' });
    expect(Number(position.qty)).toBe(9_000 + Number(iocAfter.filledQty));
  });

  it('replaces an open order and tracks a trailing stop', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    harness.emulator.setPrice('XOM', '100.00');
    await alpaca.trading.orders.market({ symbol: 'XOM', qty: 10, side: 'buy' });
    const stop = await alpaca.trading.orders.trailingStop({
      symbol: 'XOM',
      qty: 10,
      side: 'sell',
      trailPrice: '2',
      timeInForce: 'gtc',
    });
    harness.emulator.advance(60_000);
    harness.emulator.setPrice('XOM', '105.00');
    harness.emulator.advance(60_000);
    expect(await alpaca.trading.orders.getOrderByOrderID({ orderId: stop.id ?? '' })).toMatchObject({
      status: 'new',
      hwm: '105',
      stopPrice: '103',
    });

    const replaced = await alpaca.trading.orders.patchOrderByOrderId({
      orderId: stop.id ?? '',
      patchOrderRequest: { trail: '1' },
    });
    expect(replaced).toMatchObject({ replaces: stop.id, trailPrice: '1' });
    expect((await alpaca.trading.orders.getOrderByOrderID({ orderId: stop.id ?? '' })).status).toBe('replaced');

    harness.emulator.advance(60_000);
    harness.emulator.setPrice('XOM', '103.50');
    const triggered = await alpaca.trading.orders.getOrderByOrderID({ orderId: replaced.id ?? '' });
    expect(triggered).toMatchObject({ status: 'filled', filledAvgPrice: '103.5' });
    expect(await alpaca.trading.positions.getAllOpenPositions()).toEqual([]);
  });

  it('queues a market order placed while closed and fills it at the next open', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    harness.clock.set(new Date('2026-03-13T22:00:00Z'));
    const order = await alpaca.trading.orders.market({ symbol: 'JPM', qty: 5, side: 'buy' });
    expect(order.status).toBe('accepted');

    harness.clock.set(new Date('2026-03-16T14:00:00Z'));
    const filled = await alpaca.trading.orders.getOrderByOrderID({ orderId: order.id ?? '' });
    expect(filled.status).toBe('filled');
    expect(filled.filledAt?.toISOString()).toBe('2026-03-16T13:30:00.000Z');
    const { bars } = await alpaca.marketData.stocks.stockBarSingle({
      symbol: 'JPM',
      timeframe: '1Min',
      start: new Date('2026-03-16T13:30:00Z'),
      limit: 1,
    });
    expect(Number(filled.filledAvgPrice)).toBe(bars[0]?.o);
  });

  it('serves bars with paging, and quotes, from the same path', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    harness.clock.set(new Date('2026-03-11T21:00:00Z'));
    const day = {
      symbol: 'AAPL',
      timeframe: '1Min',
      start: new Date('2026-03-10T04:00:00Z'),
      end: new Date('2026-03-11T03:59:00Z'),
    };

    const whole = await alpaca.marketData.stocks.stockBarSingle({ ...day, limit: 1000 });
    expect(whole.bars).toHaveLength(390);
    expect(whole.nextPageToken).toBeNull();
    const first = whole.bars[0];
    expect(first?.t.toISOString()).toBe('2026-03-10T13:30:00.000Z');
    for (const bar of whole.bars) {
      expect(bar.h).toBeGreaterThanOrEqual(Math.max(bar.o, bar.c));
      expect(bar.l).toBeLessThanOrEqual(Math.min(bar.o, bar.c));
      expect(Number.isInteger(Math.round(bar.c * 100))).toBe(true);
      expect(bar.v).toBeGreaterThan(0);
      expect(bar.n).toBeGreaterThan(0);
    }

    const pages: number[] = [];
    let token: string | undefined;
    const paged: Date[] = [];
    do {
      const page = await alpaca.marketData.stocks.stockBarSingle({ ...day, limit: 100, pageToken: token });
      pages.push(page.bars.length);
      paged.push(...page.bars.map((bar) => bar.t));
      token = page.nextPageToken ?? undefined;
    } while (token);
    expect(pages).toEqual([100, 100, 100, 90]);
    expect(paged.map((t) => t.getTime())).toEqual(whole.bars.map((bar) => bar.t.getTime()));

    const daily = await alpaca.marketData.stocks.stockBarSingle({
      symbol: 'AAPL',
      timeframe: '1Day',
      start: new Date('2026-03-10T00:00:00Z'),
      end: new Date('2026-03-10T23:00:00Z'),
    });
    expect(daily.bars).toHaveLength(1);
    expect(daily.bars[0]).toMatchObject({ o: first?.o, c: whole.bars.at(-1)?.c });

    const multi = await alpaca.marketData.stocks.stockBars({
      symbols: 'MSFT,AAPL',
      timeframe: '1Hour',
      start: new Date('2026-03-10T13:00:00Z'),
      end: new Date('2026-03-10T21:00:00Z'),
    });
    expect(Object.keys(multi.bars)).toEqual(['AAPL', 'MSFT']);
    expect(multi.bars.AAPL).toHaveLength(7);

    const { quote } = await alpaca.marketData.stocks.stockLatestQuoteSingle({ symbol: 'AAPL' });
    expect(quote.bp).toBeLessThan(quote.ap);
    expect(quote.as).toBeGreaterThan(0);
    expect(quote.z).toBe('C');
    expect(quote.t.toISOString()).toBe('2026-03-11T20:00:00.000Z');
  });

  it('reports portfolio history from the fills and the price path', async () => {
    const alpaca = sandboxClient(harness.baseUrl, freshKey());
    await alpaca.trading.orders.market({ symbol: 'TSLA', qty: 20, side: 'buy' });
    harness.emulator.advance(2 * 60 * 60_000);

    const history = await alpaca.trading.portfolioHistory.getAccountPortfolioHistory({
      period: '1D',
      timeframe: '15Min',
    });
    expect(history.timeframe).toBe('15Min');
    expect(history.baseValue).toBe(100_000);
    // Windows from the one in which the account was opened (11:00 ET) up to the current one (13:00 ET).
    expect(history.timestamp).toHaveLength(10);
    expect(history.equity).toHaveLength(10);
    expect(history.timestamp[0]).toBe(Date.parse('2026-03-10T14:45:00Z') / 1000);
    expect(history.timestamp.at(-1)).toBe(Date.parse('2026-03-10T17:00:00Z') / 1000);
    const account = await alpaca.trading.account.getAccount();
    expect(history.equity.at(-1)).toBeCloseTo(Number(account.equity), 2);
    expect(history.profitLoss.at(-1)).toBeCloseTo(Number(account.equity) - 100_000, 2);
    expect(new Set(history.equity).size).toBeGreaterThan(1);
  });

  it('is deterministic: the same seed gives the same bars, ids and fills', async () => {
    const runs = await Promise.all(
      ['twin', 'twin', 'other'].map(async (seed) => {
        const run = await startEmulator(seed, TUESDAY_MORNING);
        const alpaca = sandboxClient(run.baseUrl, 'PKTWIN');
        const bars = await alpaca.marketData.stocks.stockBarSingle({
          symbol: 'META',
          timeframe: '5Min',
          start: new Date('2026-03-09T13:30:00Z'),
          limit: 200,
        });
        const order = await alpaca.trading.orders.limit({
          symbol: 'META',
          qty: 1,
          side: 'buy',
          limitPrice: run.emulator.priceOf('META'),
          timeInForce: 'gtc',
        });
        run.emulator.advance(24 * 60 * 60_000);
        const after = await alpaca.trading.orders.getOrderByOrderID({ orderId: order.id ?? '' });
        return {
          bars: bars.bars,
          id: order.id,
          status: after.status,
          filledAt: after.filledAt,
          price: after.filledAvgPrice,
        };
      }),
    );
    const [first, second, other] = runs;
    expect(second).toEqual(first);
    expect(other?.bars).not.toEqual(first?.bars);
  });

  it('also works with the generated API classes and a basePath', async () => {
    const configuration = new trading.Configuration({ basePath: harness.baseUrl, keyId: freshKey(), secret: 'secret' });
    const account = await new trading.AccountsApi(configuration).getAccount();
    expect(account.status).toBe('ACTIVE');
  });
});
