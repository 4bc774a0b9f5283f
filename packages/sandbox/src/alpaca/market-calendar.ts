/**
 * US equity market hours in America/New_York: core session 09:30–16:00 on weekdays, minus NYSE holidays, with the
 * 13:00 early closes. Days are numbered as days since 1970-01-01 of the Eastern calendar date.
 */
const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

export const OPEN_MINUTE = 9 * 60 + 30;
export const CLOSE_MINUTE = 16 * 60;
const EARLY_CLOSE_MINUTE = 13 * 60;
/** Alpaca's extended session: pre-market from 04:00, after-hours until 20:00. */
export const SESSION_OPEN_MINUTE = 4 * 60;
export const SESSION_CLOSE_MINUTE = 20 * 60;

/** Unscheduled closures (national days of mourning, weather) that no rule produces. */
const SPECIAL_CLOSURES = new Set(['2012-10-29', '2012-10-30', '2018-12-05', '2025-01-09']);

export interface Session {
  day: number;
  /** UTC milliseconds of the 09:30 open. */
  open: number;
  /** UTC milliseconds of the close (16:00, or 13:00 on early-close days). */
  close: number;
}

/** Days since the epoch for a UTC calendar date. */
function dayNumber(year: number, month: number, date: number): number {
  return Math.floor(Date.UTC(year, month - 1, date) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekday(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

function nthWeekday(year: number, month: number, targetWeekday: number, n: number): number {
  const first = dayNumber(year, month, 1);
  return first + ((targetWeekday - weekday(first) + 7) % 7) + (n - 1) * 7;
}

function lastWeekday(year: number, month: number, targetWeekday: number): number {
  const last = dayNumber(year, month + 1, 1) - 1;
  return last - ((weekday(last) - targetWeekday + 7) % 7);
}

/** Gregorian Easter Sunday (anonymous algorithm). */
function easter(year: number): number {
  const a = year % 19;
  const b = Math.floor(year / 100);
  const c = year % 100;
  const d = Math.floor(b / 4);
  const e = b % 4;
  const f = Math.floor((b + 8) / 25);
  const g = Math.floor((b - f + 1) / 3);
  const h = (19 * a + b - d - g + 15) % 30;
  const i = Math.floor(c / 4);
  const k = c % 4;
  const l = (32 + 2 * e + 2 * i - h - k) % 7;
  const m = Math.floor((a + 11 * h + 22 * l) / 451);
  const month = Math.floor((h + l - 7 * m + 114) / 31);
  const date = ((h + l - 7 * m + 114) % 31) + 1;
  return dayNumber(year, month, date);
}

/** NYSE observance: a Saturday holiday moves to Friday, a Sunday holiday to Monday. */
function observed(day: number): number {
  const wd = weekday(day);
  if (wd === 6) return day - 1;
  if (wd === 0) return day + 1;
  return day;
}

const holidayCache = new Map<number, Set<number>>();

function holidaysOf(year: number): Set<number> {
  const cached = holidayCache.get(year);
  if (cached) return cached;
  const days = new Set<number>();
  // New Year's Day on a Saturday is not observed on the Friday before (NYSE rule 7.2).
  const newYear = dayNumber(year, 1, 1);
  if (weekday(newYear) !== 6) days.add(observed(newYear));
  days.add(nthWeekday(year, 1, 1, 3)); // Martin Luther King Jr. Day
  days.add(nthWeekday(year, 2, 1, 3)); // Washington's Birthday
  days.add(easter(year) - 2); // Good Friday
  days.add(lastWeekday(year, 5, 1)); // Memorial Day
  if (year >= 2022) days.add(observed(dayNumber(year, 6, 19))); // Juneteenth
  days.add(observed(dayNumber(year, 7, 4)));
  days.add(nthWeekday(year, 9, 1, 1)); // Labor Day
  days.add(nthWeekday(year, 11, 4, 4)); // Thanksgiving
  days.add(observed(dayNumber(year, 12, 25)));
  for (const closure of SPECIAL_CLOSURES) {
    if (closure.startsWith(`${year}-`)) days.add(parseDateString(closure) ?? 0);
  }
  holidayCache.set(year, days);
  return days;
}

function yearOf(day: number): number {
  return new Date(day * DAY_MS).getUTCFullYear();
}

export function isHoliday(day: number): boolean {
  return holidaysOf(yearOf(day)).has(day);
}

export function isTradingDay(day: number): boolean {
  const wd = weekday(day);
  return wd !== 0 && wd !== 6 && !isHoliday(day);
}

/** Minute of the Eastern day at which the core session closes. */
function closeMinute(day: number): number {
  const year = yearOf(day);
  const thanksgiving = nthWeekday(year, 11, 4, 4);
  const julyThird = dayNumber(year, 7, 3);
  const julyFourthWeekday = weekday(julyThird + 1);
  if (day === thanksgiving + 1) return EARLY_CLOSE_MINUTE;
  if (day === dayNumber(year, 12, 24)) return EARLY_CLOSE_MINUTE;
  if (day === julyThird && julyFourthWeekday >= 2 && julyFourthWeekday <= 5) return EARLY_CLOSE_MINUTE;
  return CLOSE_MINUTE;
}

/**
 * UTC offset of America/New_York in minutes at a UTC instant. Since 2007 daylight time runs from the second Sunday
 * of March at 02:00 EST (07:00 UTC) to the first Sunday of November at 02:00 EDT (06:00 UTC).
 */
export function easternOffsetMinutes(utcMs: number): number {
  const year = new Date(utcMs).getUTCFullYear();
  const dstStart = nthWeekday(year, 3, 0, 2) * DAY_MS + 7 * 60 * MINUTE_MS;
  const dstEnd = nthWeekday(year, 11, 0, 1) * DAY_MS + 6 * 60 * MINUTE_MS;
  return utcMs >= dstStart && utcMs < dstEnd ? -240 : -300;
}

/** The Eastern calendar day of a UTC instant. */
export function easternDay(utcMs: number): number {
  return Math.floor((utcMs + easternOffsetMinutes(utcMs) * MINUTE_MS) / DAY_MS);
}

/** Minutes since Eastern midnight of a UTC instant. */
export function easternMinuteOfDay(utcMs: number): number {
  const local = utcMs + easternOffsetMinutes(utcMs) * MINUTE_MS;
  return Math.floor((local - Math.floor(local / DAY_MS) * DAY_MS) / MINUTE_MS);
}

/** UTC instant of an Eastern wall-clock time (no session time falls in a DST gap, so one correction suffices). */
export function easternToUtc(day: number, minuteOfDay: number): number {
  const naive = day * DAY_MS + minuteOfDay * MINUTE_MS;
  const guess = naive + 300 * MINUTE_MS;
  return naive - easternOffsetMinutes(guess) * MINUTE_MS;
}

export function sessionOf(day: number): Session | undefined {
  if (!isTradingDay(day)) return undefined;
  return { day, open: easternToUtc(day, OPEN_MINUTE), close: easternToUtc(day, closeMinute(day)) };
}

export function nextTradingDay(day: number): number {
  let next = day + 1;
  while (!isTradingDay(next)) next += 1;
  return next;
}

export function previousTradingDay(day: number): number {
  let previous = day - 1;
  while (!isTradingDay(previous)) previous -= 1;
  return previous;
}

/** The session open at `utcMs`, if the core session is open then ([open, close)). */
export function openSessionAt(utcMs: number): Session | undefined {
  const session = sessionOf(easternDay(utcMs));
  return session && utcMs >= session.open && utcMs < session.close ? session : undefined;
}

/** The first session whose open is strictly after `utcMs`. */
export function nextSessionAfter(utcMs: number): Session {
  let day = easternDay(utcMs);
  for (;;) {
    const session = sessionOf(day);
    if (session && session.open > utcMs) return session;
    day += 1;
  }
}

/** The latest session that has opened at or before `utcMs` (the current one during market hours). */
export function latestSessionAt(utcMs: number): Session {
  let day = easternDay(utcMs);
  for (;;) {
    const session = sessionOf(day);
    if (session && session.open <= utcMs) return session;
    day -= 1;
  }
}

export function formatDateString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function parseDateString(text: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const ms = Date.parse(`${text}T00:00:00Z`);
  return Number.isNaN(ms) ? undefined : Math.floor(ms / DAY_MS);
}

/** Eastern local time with its offset, as Alpaca's clock prints it: 2024-01-03T09:30:00-05:00. */
export function formatEastern(utcMs: number, withMillis = false): string {
  const offset = easternOffsetMinutes(utcMs);
  const local = new Date(utcMs + offset * MINUTE_MS).toISOString();
  const base = withMillis ? local.slice(0, 23) : local.slice(0, 19);
  const sign = offset < 0 ? '-' : '+';
  const hours = String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0');
  const minutes = String(Math.abs(offset) % 60).padStart(2, '0');
  return `${base}${sign}${hours}:${minutes}`;
}

export function formatClockMinute(minuteOfDay: number, separator = ':'): string {
  return `${String(Math.floor(minuteOfDay / 60)).padStart(2, '0')}${separator}${String(minuteOfDay % 60).padStart(2, '0')}`;
}

/** Core-session close minute of a trading day, for /v2/calendar. */
export function closeMinuteOf(day: number): number {
  return closeMinute(day);
}

export { DAY_MS, MINUTE_MS };
