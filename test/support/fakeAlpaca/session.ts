import { DateTime } from 'luxon';
import { NY } from './format.js';

/**
 * @module The fake's market session: regular hours 09:30-16:00 New York on weekdays that are not
 * holidays. Orders sent outside it are queued until `nextOpen`, as Alpaca queues day orders.
 */

export class FakeSession {
  constructor(readonly holidays: Set<string>) {}

  isTradingDay(d: DateTime): boolean {
    return d.weekday <= 5 && !this.holidays.has(d.toISODate() ?? '');
  }

  sessionOf(d: DateTime): { open: DateTime; close: DateTime } {
    return {
      open: d.set({ hour: 9, minute: 30, second: 0, millisecond: 0 }),
      close: d.set({ hour: 16, minute: 0, second: 0, millisecond: 0 }),
    };
  }

  nextTradingDay(d: DateTime): DateTime {
    let x = d.plus({ days: 1 }).startOf('day');
    while (!this.isTradingDay(x)) x = x.plus({ days: 1 });
    return x;
  }

  at(now: Date): { isOpen: boolean; nextOpen: Date; nextClose: Date } {
    const t = DateTime.fromJSDate(now, { zone: NY });
    const today = t.startOf('day');
    const s = this.sessionOf(today);
    const trading = this.isTradingDay(today);
    const isOpen = trading && t >= s.open && t < s.close;
    const nextOpen = trading && t < s.open ? s.open : this.sessionOf(this.nextTradingDay(today)).open;
    const nextClose = trading && t < s.close ? s.close : this.sessionOf(this.nextTradingDay(today)).close;
    return { isOpen, nextOpen: nextOpen.toJSDate(), nextClose: nextClose.toJSDate() };
  }

  /** Trading days from `start` to `end` (New York dates), as GET /v2/calendar lists them. */
  calendar(from: DateTime, to: DateTime): Record<string, string>[] {
    const days: Record<string, string>[] = [];
    for (let d = from.startOf('day'); d <= to; d = d.plus({ days: 1 })) {
      if (!this.isTradingDay(d)) continue;
      days.push({ date: d.toISODate() ?? '', open: '09:30', close: '16:00', session_open: '0400', session_close: '2000', settlement_date: this.nextTradingDay(d).toISODate() ?? '' });
    }
    return days;
  }
}
