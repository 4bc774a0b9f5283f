import type { Asset } from './assets.js';
import {
  latestSessionAt,
  nextTradingDay,
  parseDateString,
  previousTradingDay,
  sessionOf,
  type Session,
} from './market-calendar.js';
import { SeededRandom } from './random.js';

/** One bar in integer units: prices in cents, `vw` in hundredths of a cent. */
export interface RawBar {
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

interface DayPath {
  session: Session;
  /** points[k] is the last trade price at open + k minutes; points[0] is the open, points[minutes] the close. */
  points: number[];
  highs: number[];
  lows: number[];
  volumes: number[];
  trades: number[];
}

interface PriceOverride {
  at: number;
  /** null releases the pin: the path takes over again. */
  cents: number | null;
}

const MINUTE_MS = 60_000;
const PPM = 1_000_000;
const MIN_PRICE_CENTS = 100;
/** The day on which every symbol sits at its seeded reference price; the walk runs forward and backward from it. */
const REFERENCE_DAY = (() => {
  const day = parseDateString('2025-01-02') ?? 0;
  return sessionOf(day) ? day : nextTradingDay(day);
})();
const MAX_CACHED_DAYS = 4_000;

/**
 * The deterministic price path of every symbol, a function of the seed and time only.
 *
 * Daily closes are a multiplicative random walk from the reference day (one seeded step per trading day). Inside a
 * session, minute prices are a seeded random walk pinned to the previous close (plus a small opening gap) and to the
 * day's close — a Brownian bridge — so intraday bars, daily bars, quotes and fills all agree. Outside the core session
 * the price stays at the last close. All arithmetic is on integers or IEEE-exact float operations, so a seed gives
 * the same cents everywhere.
 */
export class PricePath {
  private readonly closes = new Map<string, Map<number, number>>();
  private readonly days = new Map<string, DayPath>();
  private readonly overrides = new Map<string, PriceOverride[]>();

  constructor(
    private readonly seed: string,
    private readonly assets: ReadonlyMap<string, Asset>,
  ) {}

  /** Pins a symbol's price from `at` on (until released or pinned again). */
  pin(symbol: string, at: number, cents: number | null): void {
    const list = this.overrides.get(symbol) ?? [];
    list.push({ at, cents });
    list.sort((a, b) => a.at - b.at);
    this.overrides.set(symbol, list);
  }

  hasPins(symbol: string): boolean {
    return (this.overrides.get(symbol)?.length ?? 0) > 0;
  }

  /** The latest pin change at or before `at`, if any. */
  lastPinAt(symbol: string, at: number): number | undefined {
    let last: number | undefined;
    for (const entry of this.overrides.get(symbol) ?? []) if (entry.at <= at) last = entry.at;
    return last;
  }

  clearPins(): void {
    this.overrides.clear();
  }

  /** Instants in (from, to] at which a pin starts or ends, for the order engine's check points. */
  pinInstants(symbol: string, from: number, to: number): number[] {
    return (this.overrides.get(symbol) ?? [])
      .filter((entry) => entry.at > from && entry.at <= to)
      .map((entry) => entry.at);
  }

  /** Last trade price in cents at an instant. */
  priceAt(symbol: string, at: number): number {
    const pinned = this.pinnedAt(symbol, at);
    return pinned ?? this.pathPriceAt(symbol, at);
  }

  /** Shares traded in the minute that contains `at` (the last minute of the session at or after the close). */
  minuteVolumeAt(symbol: string, at: number): number {
    const session = latestSessionAt(at);
    const path = this.dayPath(symbol, session.day);
    const index = Math.min(Math.max(Math.floor((at - session.open) / MINUTE_MS), 0), path.volumes.length - 1);
    return path.volumes[index] ?? 0;
  }

  /** Official close of a trading day, in cents. */
  closeOf(symbol: string, day: number): number {
    const pinned = this.pinnedAt(symbol, sessionOf(day)?.close ?? 0);
    return pinned ?? this.pathClose(symbol, day);
  }

  /** Completed one-minute bars of one session that end at or before `until`. */
  minuteBars(symbol: string, day: number, until: number): RawBar[] {
    const session = sessionOf(day);
    if (!session) return [];
    const path = this.dayPath(symbol, day);
    const pins = this.overrides.get(symbol) ?? [];
    const bars: RawBar[] = [];
    const count = path.points.length - 1;
    for (let k = 0; k < count; k += 1) {
      const start = session.open + k * MINUTE_MS;
      const end = start + MINUTE_MS;
      if (end > until) break;
      const volume = path.volumes[k] ?? 0;
      const trades = path.trades[k] ?? 0;
      const touched =
        pins.length > 0 &&
        (this.pinnedAt(symbol, start) !== undefined || pins.some((pin) => pin.at > start && pin.at <= end));
      if (!touched) {
        const o = path.points[k] ?? 0;
        const c = path.points[k + 1] ?? 0;
        const h = path.highs[k] ?? Math.max(o, c);
        const l = path.lows[k] ?? Math.min(o, c);
        bars.push({ t: start, o, h, l, c, v: volume, n: trades, vw: (o + h + l + c) * 25 });
        continue;
      }
      const o = this.priceAt(symbol, start);
      const c = this.priceAt(symbol, end);
      const inside = pins.filter((pin) => pin.at > start && pin.at <= end).map((pin) => this.priceAt(symbol, pin.at));
      const h = Math.max(o, c, ...inside);
      const l = Math.min(o, c, ...inside);
      bars.push({ t: start, o, h, l, c, v: volume, n: trades, vw: (o + h + l + c) * 25 });
    }
    return bars;
  }

  private pinnedAt(symbol: string, at: number): number | undefined {
    const list = this.overrides.get(symbol);
    if (!list) return undefined;
    let current: number | null = null;
    for (const entry of list) {
      if (entry.at > at) break;
      current = entry.cents;
    }
    return current ?? undefined;
  }

  private pathPriceAt(symbol: string, at: number): number {
    const session = latestSessionAt(at);
    if (at >= session.close) return this.pathClose(symbol, session.day);
    const path = this.dayPath(symbol, session.day);
    return path.points[Math.floor((at - session.open) / MINUTE_MS)] ?? this.pathClose(symbol, session.day);
  }

  private asset(symbol: string): Asset {
    const asset = this.assets.get(symbol);
    if (!asset) throw new Error(`unknown symbol ${symbol}`);
    return asset;
  }

  private dailyStepPpm(symbol: string, day: number): number {
    const asset = this.asset(symbol);
    return Math.round(new SeededRandom(`${this.seed}:daily:${symbol}:${day}`).gaussian() * asset.dailyVolatilityPpm);
  }

  private pathClose(symbol: string, day: number): number {
    let closes = this.closes.get(symbol);
    if (!closes) {
      closes = new Map([[REFERENCE_DAY, this.asset(symbol).referenceCents]]);
      this.closes.set(symbol, closes);
    }
    const known = closes.get(day);
    if (known !== undefined) return known;
    if (day > REFERENCE_DAY) {
      let cursor = day;
      const pending: number[] = [];
      while (!closes.has(cursor)) {
        pending.push(cursor);
        cursor = previousTradingDay(cursor);
      }
      let price = closes.get(cursor) ?? 0;
      for (const next of pending.reverse()) {
        price = Math.max(MIN_PRICE_CENTS, Math.round((price * (PPM + this.dailyStepPpm(symbol, next))) / PPM));
        closes.set(next, price);
      }
      return price;
    }
    let cursor = day;
    const pending: number[] = [];
    while (!closes.has(cursor)) {
      pending.push(cursor);
      cursor = nextTradingDay(cursor);
    }
    let price = closes.get(cursor) ?? 0;
    let later = cursor;
    for (const previous of pending.reverse()) {
      price = Math.max(MIN_PRICE_CENTS, Math.round((price * PPM) / (PPM + this.dailyStepPpm(symbol, later))));
      closes.set(previous, price);
      later = previous;
    }
    return price;
  }

  private dayPath(symbol: string, day: number): DayPath {
    const key = `${symbol}:${day}`;
    const cached = this.days.get(key);
    if (cached) return cached;
    const session = sessionOf(day);
    if (!session) throw new Error(`no session on day ${day}`);
    const asset = this.asset(symbol);
    const random = new SeededRandom(`${this.seed}:intraday:${symbol}:${day}`);
    const previousClose = this.pathClose(symbol, previousTradingDay(day));
    const gapPpm = Math.round(random.gaussian() * asset.dailyVolatilityPpm * 0.3);
    const open = Math.max(MIN_PRICE_CENTS, Math.round((previousClose * (PPM + gapPpm)) / PPM));
    const close = this.pathClose(symbol, day);
    const minutes = (session.close - session.open) / MINUTE_MS;

    const walk = [0];
    for (let k = 1; k <= minutes; k += 1) walk.push((walk[k - 1] ?? 0) + random.gaussian());
    const finalWalk = walk[minutes] ?? 0;
    const minuteScale = (open * asset.dailyVolatilityPpm) / PPM / Math.sqrt(minutes);
    const points = walk.map((value, k) => {
      if (k === 0) return open;
      if (k === minutes) return close;
      const drift = open + ((close - open) * k) / minutes;
      return Math.max(1, Math.round(drift + (value - (finalWalk * k) / minutes) * minuteScale));
    });

    const dayVolumeFactor = 0.7 + 0.6 * random.float();
    const perMinute = (asset.dailyVolume * dayVolumeFactor) / minutes;
    const highs: number[] = [];
    const lows: number[] = [];
    const volumes: number[] = [];
    const trades: number[] = [];
    for (let k = 0; k < minutes; k += 1) {
      const o = points[k] ?? open;
      const c = points[k + 1] ?? close;
      const wiggleCap = Math.max(1, Math.round(Math.max(o, c) * 0.0004));
      highs.push(Math.max(o, c) + random.int(0, wiggleCap));
      lows.push(Math.max(1, Math.min(o, c) - random.int(0, wiggleCap)));
      // Volume is U-shaped over the session, heavier at the open and the close.
      const position = (2 * k) / minutes - 1;
      const volume = Math.max(
        100,
        Math.round(((perMinute * (1 + 1.5 * position * position)) / 1.5) * (0.5 + random.float())),
      );
      volumes.push(volume);
      trades.push(Math.max(1, Math.round(volume / random.int(60, 160))));
    }

    const path: DayPath = { session, points, highs, lows, volumes, trades };
    if (this.days.size >= MAX_CACHED_DAYS) {
      const oldest = this.days.keys().next();
      if (!oldest.done) this.days.delete(oldest.value);
    }
    this.days.set(key, path);
    return path;
  }
}

/** Combines consecutive bars into one (volume-weighted vwap). */
export function aggregateBars(t: number, bars: readonly RawBar[]): RawBar | undefined {
  const first = bars[0];
  const last = bars[bars.length - 1];
  if (!first || !last) return undefined;
  let h = first.h;
  let l = first.l;
  let v = 0;
  let n = 0;
  let weighted = 0;
  for (const bar of bars) {
    h = Math.max(h, bar.h);
    l = Math.min(l, bar.l);
    v += bar.v;
    n += bar.n;
    weighted += bar.vw * bar.v;
  }
  return { t, o: first.o, h, l, c: last.c, v, n, vw: v > 0 ? Math.round(weighted / v) : first.vw };
}
