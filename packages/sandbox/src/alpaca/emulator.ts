import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { Emulator, EmulatorOptions } from '../core/types.js';
import { AccountStore, type Account } from './account-store.js';
import { buildAssets, type Asset } from './assets.js';
import { MONEY_SCALE, formatMoney, centsToMicros, parseDecimal } from './decimal.js';
import { AlpacaApiError, unauthorized } from './errors.js';
import { MarketData } from './market-data.js';
import { settle, type EngineContext } from './order-engine.js';
import { PricePath } from './price-path.js';
import { registerMarketDataRoutes } from './routes/market-data-routes.js';
import { registerTradingRoutes } from './routes/trading-routes.js';

export interface AlpacaEmulatorOptions extends EmulatorOptions {
  /** Cash of every new paper account, as a decimal string. Defaults to "100000". */
  startingCash?: string;
}

export interface AlpacaEmulator extends Emulator {
  readonly name: 'alpaca';
  /**
   * Pins a symbol's last trade price (decimal string, e.g. "187.25") from the current clock instant on: quotes, bars
   * and fills use it until it is released or pinned again. Open orders see the new price at once.
   */
  setPrice(symbol: string, price: string): void;
  /** Lets the seeded price path drive the symbol again from now on. */
  releasePrice(symbol: string): void;
  /** The current last trade price of a symbol as a decimal string. */
  priceOf(symbol: string): string;
  /** Moves the sandbox clock forward and fills every account's orders along the price path up to the new time. */
  advance(ms: number): void;
  /** Fills every account's orders up to the current clock time without a request. */
  settle(): void;
}

/**
 * The Alpaca emulator: the trading API (paper-api.alpaca.markets) and the stock market data API
 * (data.alpaca.markets) on one fastify app. Each API key id is one paper account; prices follow a seeded path and
 * orders fill lazily against it whenever state is read.
 */
export function createAlpacaEmulator(options: AlpacaEmulatorOptions): AlpacaEmulator {
  const { seed, clock } = options;
  const assets: ReadonlyMap<string, Asset> = new Map(buildAssets(seed).map((asset) => [asset.symbol, asset]));
  const path = new PricePath(seed, assets);
  const ctx: EngineContext = { seed, path, assets };
  const market = new MarketData(seed, path, assets);
  const accounts = new AccountStore(seed, options.startingCash ?? '100000');
  const requestAccounts = new WeakMap<FastifyRequest, Account>();
  const now = (): number => clock.now().getTime();

  const app: FastifyInstance = Fastify({ logger: false });

  // The SDK sends `Content-Type: application/json` on some body-less requests; an empty body is not an error.
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(text) as unknown);
    } catch {
      done(new AlpacaApiError(400, 40010000, 'request body format is invalid'), undefined);
    }
  });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof AlpacaApiError) return reply.code(error.status).send(error.toBody());
    const status =
      typeof (error as { statusCode?: unknown }).statusCode === 'number'
        ? (error as { statusCode: number }).statusCode
        : 500;
    if (status < 500) return reply.code(status).send({ code: status * 100_000, message: (error as Error).message });
    return reply.code(500).send({ code: 50010000, message: 'internal server error' });
  });

  app.setNotFoundHandler((_request, reply) => reply.code(404).send({ code: 40410000, message: 'endpoint not found' }));

  // Alpaca authenticates every request with the APCA-API-KEY-ID / APCA-API-SECRET-KEY header pair.
  app.addHook('onRequest', async (request) => {
    const keyId = request.headers['apca-api-key-id'];
    const secret = request.headers['apca-api-secret-key'];
    if (typeof keyId !== 'string' || typeof secret !== 'string' || keyId === '' || secret === '') throw unauthorized();
    const at = now();
    const account = accounts.open(keyId, secret, at);
    if (!account) throw new AlpacaApiError(403, 40110000, 'request is not authorized');
    settle(ctx, account, at);
    requestAccounts.set(request, account);
  });

  const deps = {
    ctx,
    market,
    now,
    accountOf(request: FastifyRequest): Account {
      const account = requestAccounts.get(request);
      if (!account) throw unauthorized();
      return account;
    },
  };
  registerTradingRoutes(app, deps);
  registerMarketDataRoutes(app, deps);

  const settleAll = (at: number = now()): void => {
    for (const account of accounts.all()) settle(ctx, account, at);
  };

  /**
   * Orders are settled up to just before the pin and any check already made at this very instant is rewound, so the
   * pinned price is what open orders see next.
   */
  const pinFromNow = (symbol: string, cents: number | null): void => {
    const at = now();
    settleAll(at - 1);
    for (const account of accounts.all()) {
      for (const order of account.orders)
        if (order.symbol === symbol) order.checkedUntil = Math.min(order.checkedUntil, at - 1);
    }
    path.pin(symbol, at, cents);
  };

  return {
    name: 'alpaca',
    app,
    reset() {
      accounts.clear();
      path.clearPins();
    },
    setPrice(symbol, price) {
      const asset = assets.get(symbol.toUpperCase());
      if (!asset) throw new Error(`unknown symbol ${symbol}`);
      const micros = parseDecimal(price, MONEY_SCALE);
      if (micros === undefined || micros < 10_000n || micros % 10_000n !== 0n) {
        throw new Error(`price must be a decimal string in whole cents of at least 0.01, got ${price}`);
      }
      pinFromNow(asset.symbol, Number(micros / 10_000n));
    },
    releasePrice(symbol) {
      pinFromNow(symbol.toUpperCase(), null);
    },
    priceOf(symbol) {
      return formatMoney(centsToMicros(path.priceAt(symbol.toUpperCase(), now())));
    },
    advance(ms) {
      clock.advance(ms);
      settleAll();
    },
    settle() {
      settleAll();
    },
  };
}
