import type { FastifyRequest } from 'fastify';
import type { Account } from '../account-store.js';
import type { MarketData } from '../market-data.js';
import type { EngineContext } from '../order-engine.js';

/** What the route modules need from the emulator. */
export interface AlpacaRouteDeps {
  ctx: EngineContext;
  market: MarketData;
  /** The sandbox clock in epoch milliseconds. */
  now(): number;
  /** The authenticated account of the request (set by the auth hook). */
  accountOf(request: FastifyRequest): Account;
}

export type Query = Record<string, string | undefined>;

/** Comma-separated list parameter (`symbols=AAPL,MSFT`), upper-cased and de-duplicated. */
export function symbolList(text: string | undefined): string[] {
  if (!text) return [];
  return [
    ...new Set(
      text
        .split(',')
        .map((part) => part.trim().toUpperCase())
        .filter((part) => part.length > 0),
    ),
  ];
}
