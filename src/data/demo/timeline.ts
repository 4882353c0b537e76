/**
 * The session timeline the demo market is simulated on: the sessions, their day numbers, and the
 * episode every session belongs to (the script inside 2000-01-03..2024-12-31, generic filler
 * bull markets outside it).
 */
import { toDayNumber } from '../../core/dates.js';
import {
  DEMO_EPISODE_SCRIPT,
  DEMO_SCRIPT_END,
  DEMO_SCRIPT_START,
  FILLER_ANNUAL_RETURN,
  FILLER_VOL,
  type EpisodeScript,
} from './episodes.js';

export interface Timeline {
  dates: readonly string[];
  days: Int32Array;
  /** Episodes with at least one session, in order (fillers included). */
  episodes: EpisodeScript[];
  /** Session index range [start, end] (inclusive) of each entry of `episodes`. */
  ranges: { start: number; end: number }[];
  /** Index into `episodes` of each session. */
  episodeOf: Int32Array;
}

function filler(name: string, sessions: readonly string[]): EpisodeScript {
  return {
    name,
    kind: 'bull',
    from: sessions[0],
    to: sessions[sessions.length - 1],
    totalReturn: Math.pow(1 + FILLER_ANNUAL_RETURN, sessions.length / 252) - 1,
    vol: FILLER_VOL,
  };
}

/** Builds the timeline over ascending unique sessions (validated by the caller). */
export function buildTimeline(sessions: readonly string[]): Timeline {
  const n = sessions.length;
  const days = new Int32Array(n);
  for (let i = 0; i < n; i++) days[i] = toDayNumber(sessions[i]);

  const episodes: EpisodeScript[] = [];
  const ranges: { start: number; end: number }[] = [];
  const episodeOf = new Int32Array(n);
  const push = (e: EpisodeScript, start: number, end: number): void => {
    for (let i = start; i <= end; i++) episodeOf[i] = episodes.length;
    episodes.push(e);
    ranges.push({ start, end });
  };

  let i = 0;
  const pre: string[] = [];
  while (i < n && sessions[i] < DEMO_SCRIPT_START) pre.push(sessions[i++]);
  if (pre.length > 0) push(filler('pre-script-bull', pre), 0, pre.length - 1);

  for (const e of DEMO_EPISODE_SCRIPT) {
    const start = i;
    while (i < n && sessions[i] <= e.to) i++;
    if (i > start) push(e, start, i - 1);
  }

  if (i < n) {
    const post = sessions.slice(i);
    if (post[0] <= DEMO_SCRIPT_END) throw new Error('demo timeline: script episodes are not contiguous');
    push(filler('post-script-bull', post), i, n - 1);
  }
  return { dates: sessions, days, episodes, ranges, episodeOf };
}

/** Index of the first session on or after `day` (dates.length when none). */
export function firstIndexOnOrAfter(tl: Timeline, day: number): number {
  let lo = 0;
  let hi = tl.days.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (tl.days[mid] < day) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Quarterly ex-dividend sessions: for every year, the first session on or after day `dayOfMonth`
 * of the months firstMonth, firstMonth+3, ... (1-based). `dayOfMonth` <= 0 means "third Friday".
 */
export function quarterlySessions(tl: Timeline, firstMonth: number, dayOfMonth: number): Set<number> {
  const out = new Set<number>();
  if (tl.dates.length === 0) return out;
  const y0 = Number(tl.dates[0].slice(0, 4));
  const y1 = Number(tl.dates[tl.dates.length - 1].slice(0, 4));
  for (let y = y0; y <= y1; y++) {
    for (let m = firstMonth; m <= 12; m += 3) {
      let target: number;
      if (dayOfMonth <= 0) {
        const first = Date.UTC(y, m - 1, 1) / 86_400_000;
        const wd = (((first + 4) % 7) + 7) % 7;
        target = first + ((5 - wd + 7) % 7) + 14; // third Friday
      } else {
        target = Date.UTC(y, m - 1, dayOfMonth) / 86_400_000;
      }
      const idx = firstIndexOnOrAfter(tl, target);
      // Only when the session falls in the same month (no spill into the next quarter's window).
      if (idx > 0 && idx < tl.dates.length && Number(tl.dates[idx].slice(5, 7)) === m) out.add(idx);
    }
  }
  return out;
}
