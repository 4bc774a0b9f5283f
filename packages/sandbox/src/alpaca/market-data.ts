import type { Asset } from './assets.js';
import { tapeOf } from './assets.js';
import { badRequest } from './errors.js';
import {
  easternDay,
  easternToUtc,
  latestSessionAt,
  MINUTE_MS,
  openSessionAt,
  previousTradingDay,
  sessionOf,
  weekday,
} from './market-calendar.js';
import { aggregateBars, type PricePath, type RawBar } from './price-path.js';
import { unitFor } from './random.js';

export type Timeframe = { kind: 'intraday'; ms: number } | { kind: 'day' | 'week' | 'month'; months: number };

const DEFAULT_LIMIT = 1000;
const MAX_LIMIT = 10_000;

/** Alpaca's timeframe syntax: [1-59]Min (or T), [1-23]Hour (or H), 1Day (D), 1Week (W), [1,2,3,4,6,12]Month (M). */
export function parseTimeframe(text: string | undefined): Timeframe {
  const match = /^(\d+)(Min|T|Hour|H|Day|D|Week|W|Month|M)$/.exec(text ?? '');
  const amount = Number(match?.[1]);
  const unit = match?.[2];
  if (!match || !Number.isInteger(amount) || amount < 1) throw badRequest('invalid timeframe');
  if ((unit === 'Min' || unit === 'T') && amount <= 59) return { kind: 'intraday', ms: amount * MINUTE_MS };
  if ((unit === 'Hour' || unit === 'H') && amount <= 23) return { kind: 'intraday', ms: amount * 60 * MINUTE_MS };
  if ((unit === 'Day' || unit === 'D') && amount === 1) return { kind: 'day', months: 0 };
  if ((unit === 'Week' || unit === 'W') && amount === 1) return { kind: 'week', months: 0 };
  if ((unit === 'Month' || unit === 'M') && [1, 2, 3, 4, 6, 12].includes(amount))
    return { kind: 'month', months: amount };
  throw badRequest('invalid timeframe');
}

export function parseInstant(text: string | undefined, field: string): number | undefined {
  if (text === undefined || text === '') return undefined;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms)) throw badRequest(`invalid ${field}`);
  return ms;
}

export function parseLimit(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_LIMIT;
  const limit = Number(text);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw badRequest('invalid limit');
  return limit;
}

export function barToWire(bar: RawBar): Record<string, unknown> {
  return {
    t: new Date(bar.t).toISOString().replace('.000Z', 'Z'),
    o: bar.o / 100,
    h: bar.h / 100,
    l: bar.l / 100,
    c: bar.c / 100,
    v: bar.v,
    n: bar.n,
    vw: bar.vw / 10_000,
  };
}

/** Bars, quotes and trades generated from the price path; nothing later than the clock is ever returned. */
export class MarketData {
  private readonly dailyCache = new Map<string, RawBar>();

  constructor(
    private readonly seed: string,
    private readonly path: PricePath,
    private readonly assets: ReadonlyMap<string, Asset>,
  ) {}

  asset(symbol: string): Asset | undefined {
    return this.assets.get(symbol.toUpperCase());
  }

  /** The session's bar so far (complete once the session has closed), labelled at midnight ET like Alpaca's daily bars. */
  dailyBar(symbol: string, day: number, now: number): RawBar | undefined {
    const session = sessionOf(day);
    if (!session || session.open >= now) return undefined;
    const key = `${symbol}:${day}`;
    const cacheable = session.close <= now && !this.path.hasPins(symbol);
    const cached = cacheable ? this.dailyCache.get(key) : undefined;
    if (cached) return cached;
    const bar = aggregateBars(easternToUtc(day, 0), this.path.minuteBars(symbol, day, now));
    if (bar && cacheable) this.dailyCache.set(key, bar);
    return bar;
  }

  /** Bars with t in [start, end], ascending. */
  bars(symbol: string, timeframe: Timeframe, start: number, end: number, now: number): RawBar[] {
    if (!this.asset(symbol)) return [];
    const until = Math.min(end, now);
    if (timeframe.kind === 'intraday') {
      const result: RawBar[] = [];
      for (let day = easternDay(start - timeframe.ms); day <= easternDay(until); day += 1) {
        const minutes = this.path.minuteBars(symbol, day, now);
        const buckets = new Map<number, RawBar[]>();
        for (const bar of minutes) {
          const bucket = Math.floor(bar.t / timeframe.ms) * timeframe.ms;
          const list = buckets.get(bucket) ?? [];
          list.push(bar);
          buckets.set(bucket, list);
        }
        for (const [bucket, list] of buckets) {
          if (bucket < start || bucket > end) continue;
          const bar = aggregateBars(bucket, list);
          if (bar) result.push(bar);
        }
      }
      return result;
    }
    const daily: RawBar[] = [];
    for (let day = easternDay(start); day <= easternDay(until); day += 1) {
      const bar = this.dailyBar(symbol, day, now);
      if (bar && bar.t >= start && bar.t <= end) daily.push(bar);
    }
    if (timeframe.kind === 'day') return daily;
    const groups = new Map<string, RawBar[]>();
    for (const bar of daily) {
      const day = easternDay(bar.t + 12 * 60 * MINUTE_MS);
      const date = new Date(day * 86_400_000);
      const key =
        timeframe.kind === 'week'
          ? String(day - ((weekday(day) + 6) % 7))
          : `${date.getUTCFullYear()}-${Math.floor(date.getUTCMonth() / timeframe.months)}`;
      const list = groups.get(key) ?? [];
      list.push(bar);
      groups.set(key, list);
    }
    return [...groups.values()].flatMap((list) => {
      const bar = aggregateBars(list[0]?.t ?? 0, list);
      return bar ? [bar] : [];
    });
  }

  /** Instant of the last print: now during the session, otherwise the last close (or a later pinned price). */
  private lastPrintAt(symbol: string, now: number): number {
    if (openSessionAt(now)) return now;
    const session = latestSessionAt(now);
    const close = Math.min(session.close, now);
    return Math.max(close, this.path.lastPinAt(symbol, now) ?? 0);
  }

  latestTrade(symbol: string, now: number, feed: string | undefined): Record<string, unknown> {
    const asset = this.requireAsset(symbol);
    const at = this.lastPrintAt(asset.symbol, now);
    const minute = Math.floor(at / MINUTE_MS);
    return {
      t: new Date(at).toISOString(),
      x: this.exchangeLetter(asset, feed),
      p: this.path.priceAt(asset.symbol, at) / 100,
      s: 1 + Math.floor(unitFor(this.seed, 'trade-size', asset.symbol, String(minute)) * 300),
      c: ['@'],
      i: Math.floor(unitFor(this.seed, 'trade-id', asset.symbol, String(at)) * 1e12),
      z: tapeOf(asset),
    };
  }

  latestQuote(symbol: string, now: number, feed: string | undefined): Record<string, unknown> {
    const asset = this.requireAsset(symbol);
    const at = this.lastPrintAt(asset.symbol, now);
    const price = this.path.priceAt(asset.symbol, at);
    const half = Math.max(1, Math.round(price / 20_000));
    const minute = String(Math.floor(at / MINUTE_MS));
    const exchange = this.exchangeLetter(asset, feed);
    return {
      t: new Date(at).toISOString(),
      ax: exchange,
      ap: (price + half) / 100,
      as: 1 + Math.floor(unitFor(this.seed, 'ask-size', asset.symbol, minute) * 9),
      bx: exchange,
      bp: Math.max(1, price - half) / 100,
      bs: 1 + Math.floor(unitFor(this.seed, 'bid-size', asset.symbol, minute) * 9),
      c: ['R'],
      z: tapeOf(asset),
    };
  }

  latestBar(symbol: string, now: number): RawBar | undefined {
    const asset = this.requireAsset(symbol);
    const session = latestSessionAt(now);
    const bars = this.path.minuteBars(asset.symbol, session.day, now);
    return bars[bars.length - 1] ?? this.path.minuteBars(asset.symbol, previousTradingDay(session.day), now).at(-1);
  }

  snapshot(symbol: string, now: number, feed: string | undefined): Record<string, unknown> {
    const asset = this.requireAsset(symbol);
    const session = latestSessionAt(now);
    const daily = this.dailyBar(asset.symbol, session.day, now);
    const previous = this.dailyBar(asset.symbol, previousTradingDay(session.day), now);
    const minute = this.latestBar(asset.symbol, now);
    return {
      latestTrade: this.latestTrade(asset.symbol, now, feed),
      latestQuote: this.latestQuote(asset.symbol, now, feed),
      minuteBar: minute ? barToWire(minute) : null,
      dailyBar: daily ? barToWire(daily) : null,
      prevDailyBar: previous ? barToWire(previous) : null,
    };
  }

  requireAsset(symbol: string): Asset {
    const asset = this.asset(symbol);
    if (!asset) throw badRequest(`invalid symbol: ${symbol}`);
    return asset;
  }

  /** IEX (the free feed, Alpaca's default) prints as V; the SIP feed shows the listing exchange. */
  private exchangeLetter(asset: Asset, feed: string | undefined): string {
    if (feed !== 'sip') return 'V';
    return asset.exchange === 'NYSE' ? 'N' : asset.exchange === 'ARCA' ? 'P' : 'Q';
  }
}

/** Opaque page token: base64 of "SYMBOL|epoch-ms" of the next bar to return. */
export function encodePageToken(symbol: string, t: number): string {
  return Buffer.from(`${symbol}|${t}`).toString('base64url');
}

export function decodePageToken(token: string | undefined): { symbol: string; t: number } | undefined {
  if (token === undefined || token === '') return undefined;
  const [symbol, t] = Buffer.from(token, 'base64url').toString('utf8').split('|');
  const ms = Number(t);
  if (!symbol || !Number.isFinite(ms)) throw badRequest('invalid page_token');
  return { symbol, t: ms };
}
