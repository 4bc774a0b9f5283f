import type { Account } from './account-store.js';
import { formatRatio, mulDivRound } from './decimal.js';
import { unprocessable } from './errors.js';
import {
  easternDay,
  easternToUtc,
  formatDateString,
  latestSessionAt,
  MINUTE_MS,
  previousTradingDay,
  sessionOf,
  type Session,
} from './market-calendar.js';
import type { EngineContext } from './order-engine.js';
import { equitySeries } from './wire.js';

const TIMEFRAME_MS: Record<string, number> = {
  '1Min': MINUTE_MS,
  '5Min': 5 * MINUTE_MS,
  '15Min': 15 * MINUTE_MS,
  '1H': 60 * MINUTE_MS,
  '1D': 0,
};

export interface PortfolioHistoryQuery {
  period?: string;
  timeframe?: string;
  date_end?: string;
  end?: string;
}

function parsePeriod(period: string): { unit: string; count: number } {
  const match = /^(\d+)([DWMA])$/.exec(period);
  if (!match) throw unprocessable('invalid period');
  return { unit: match[2] ?? 'D', count: Number(match[1]) };
}

/** Sessions covered by a period that ends with the session containing (or last before) `end`. */
function sessionsOf(period: string, end: number): Session[] {
  const { unit, count } = parsePeriod(period);
  const last = latestSessionAt(end);
  const sessions: Session[] = [];
  if (unit === 'D') {
    let day = last.day;
    while (sessions.length < count) {
      const session = sessionOf(day);
      if (session) sessions.unshift(session);
      day -= 1;
    }
    return sessions;
  }
  const calendarDays = unit === 'W' ? 7 * count : unit === 'M' ? 30 * count : 365 * count;
  for (let day = last.day - calendarDays + 1; day <= last.day; day += 1) {
    const session = sessionOf(day);
    if (session) sessions.push(session);
  }
  return sessions;
}

/**
 * GET /v2/account/portfolio/history, derived by replaying the account's fills against the price path. Timestamps are
 * left-labelled epoch seconds; each equity value is as of the end of its window (Alpaca's definition). Windows that
 * end before the account existed are left out.
 */
export function portfolioHistory(
  ctx: EngineContext,
  account: Account,
  query: PortfolioHistoryQuery,
  now: number,
): Record<string, unknown> {
  const explicitTimeframe = query.timeframe;
  const period = query.period ?? '1M';
  if (explicitTimeframe !== undefined && !(explicitTimeframe in TIMEFRAME_MS)) throw unprocessable('invalid timeframe');
  const spanDays = (() => {
    const { unit, count } = parsePeriod(period);
    return unit === 'D' ? count : unit === 'W' ? 7 * count : unit === 'M' ? 30 * count : 365 * count;
  })();
  // Alpaca's default: 1Min below 7 days, 15Min below 30 days, otherwise 1D.
  const timeframe =
    explicitTimeframe ?? (query.period === undefined ? '1D' : spanDays < 7 ? '1Min' : spanDays < 30 ? '15Min' : '1D');
  const endText = query.end ?? query.date_end;
  let end = now;
  if (endText !== undefined) {
    const parsed = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(endText) ? `${endText}T23:59:59Z` : endText);
    if (Number.isNaN(parsed)) throw unprocessable('invalid date_end');
    end = Math.min(parsed, now);
  }
  const sessions = sessionsOf(period, end);
  const step = TIMEFRAME_MS[timeframe] ?? 0;

  const labels: number[] = [];
  const instants: number[] = [];
  for (const session of sessions) {
    if (step === 0) {
      if (session.open > end) continue;
      labels.push(easternToUtc(session.day, 0));
      instants.push(Math.min(session.close, end));
      continue;
    }
    for (let t = session.open; t < session.close && t <= end; t += step) {
      labels.push(t);
      instants.push(Math.min(t + step, session.close, end));
    }
  }
  const keep = instants.map((instant) => instant >= account.createdAt);
  const keptLabels = labels.filter((_, index) => keep[index]);
  const keptInstants = instants.filter((_, index) => keep[index]);

  const firstSession = sessions[0];
  const baseInstant = firstSession ? sessionOf(previousTradingDay(firstSession.day))?.close : undefined;
  const [base] =
    baseInstant !== undefined && baseInstant >= account.createdAt
      ? equitySeries(ctx, account, [baseInstant])
      : [account.startingCashMicro];
  const baseValue = base ?? account.startingCashMicro;
  const equity = equitySeries(ctx, account, keptInstants);

  const dollars = (micros: bigint): number => Number(mulDivRound(micros, 1n, 10_000n)) / 100;
  return {
    timestamp: keptLabels.map((label) => Math.floor(label / 1000)),
    equity: equity.map(dollars),
    profit_loss: equity.map((value) => dollars(value - baseValue)),
    profit_loss_pct: equity.map((value) => Number(formatRatio(value - baseValue, baseValue, 6))),
    base_value: dollars(baseValue),
    // Per Alpaca, base_value_asof is only present when the base is a closing equity; a newer account is measured
    // against its first value (here: its starting cash).
    base_value_asof:
      baseInstant !== undefined && baseInstant >= account.createdAt
        ? formatDateString(easternDay(baseInstant))
        : undefined,
    timeframe,
  };
}
