/**
 * The script of the simulated demo market: contiguous episodes of the SPY proxy, each with a
 * fixed total (log) return, an annualised volatility and optional scripted shock days.
 *
 * The seed only changes the texture of the path inside an episode: the noise is bridged so each
 * episode starts and ends exactly where the script says, for every seed. That is what makes the
 * crash, the slow bear and the recoveries dependable test material. See docs/demo-market.md.
 *
 * The dates echo real history (dot-com bear, 2008, 2020, 2022) so charts look familiar, but the
 * returns are invented and every price is SIMULATED.
 */

export type EpisodeKind = 'bull' | 'bear' | 'crash' | 'recovery' | 'chop';

export type DemoSector = 'technology' | 'healthcare' | 'financials' | 'consumer';

export const DEMO_SECTORS: readonly DemoSector[] = ['technology', 'healthcare', 'financials', 'consumer'];

/** One episode as DemoMarket reports it. */
export interface DemoEpisode {
  name: string;
  from: string; // first session of the episode (inclusive)
  to: string; // last session of the episode (inclusive)
  kind: EpisodeKind;
}

/** A scripted day: the SPY total return of that session is exactly `ret` (simple return). */
export interface ShockDay {
  date: string;
  ret: number;
}

export interface EpisodeScript extends DemoEpisode {
  /** SPY total return over the whole episode, simple (e.g. -0.34 = -34%). */
  totalReturn: number;
  /** Annualised volatility of the ordinary (non-shock) days. */
  vol: number;
  /** Scripted sessions whose return is fixed (all must lie inside the episode). */
  shocks?: readonly ShockDay[];
  /** Extra annual log drift of every stock in a sector during the episode (sector rotation). */
  sectorTilt?: Partial<Record<DemoSector, number>>;
}

/** First and last session of the script (and the default range of buildDemoMarket). */
export const DEMO_SCRIPT_START = '2000-01-03';
export const DEMO_SCRIPT_END = '2024-12-31';

/**
 * The episodes, contiguous and in order; from/to are NYSE sessions (checked by the tests).
 * Names are stable identifiers: tests and docs refer to them.
 */
export const DEMO_EPISODE_SCRIPT: readonly EpisodeScript[] = Object.freeze([
  {
    name: 'millennium-top-chop',
    kind: 'chop',
    from: '2000-01-03',
    to: '2000-08-31',
    totalReturn: 0.02,
    vol: 0.18,
    sectorTilt: { technology: 0.1 },
  },
  {
    name: 'dotcom-slow-bear',
    kind: 'bear',
    from: '2000-09-01',
    to: '2002-02-28',
    totalReturn: -0.4,
    vol: 0.23,
    sectorTilt: { technology: -0.2, healthcare: 0.12, financials: 0.04, consumer: 0.06 },
  },
  { name: 'post-bear-chop', kind: 'chop', from: '2002-03-01', to: '2003-03-31', totalReturn: -0.04, vol: 0.21 },
  {
    name: 'recovery-2003',
    kind: 'recovery',
    from: '2003-04-01',
    to: '2004-03-31',
    totalReturn: 0.28,
    vol: 0.15,
    sectorTilt: { technology: 0.1 },
  },
  { name: 'calm-bull-2004', kind: 'bull', from: '2004-04-01', to: '2007-06-29', totalReturn: 0.38, vol: 0.11 },
  {
    name: 'credit-worry-chop',
    kind: 'chop',
    from: '2007-07-02',
    to: '2008-09-26',
    totalReturn: -0.15,
    vol: 0.22,
    sectorTilt: { financials: -0.25, healthcare: 0.04, consumer: 0.05 },
  },
  {
    name: 'crash-2008',
    kind: 'crash',
    from: '2008-09-29',
    to: '2008-10-27',
    totalReturn: -0.32,
    vol: 0.55,
    shocks: [
      { date: '2008-09-29', ret: -0.088 },
      { date: '2008-10-07', ret: -0.057 },
      { date: '2008-10-09', ret: -0.076 },
      { date: '2008-10-13', ret: 0.115 },
      { date: '2008-10-15', ret: -0.09 },
      { date: '2008-10-22', ret: -0.061 },
    ],
    sectorTilt: { financials: -0.8, healthcare: 0.2, consumer: 0.1 },
  },
  {
    name: 'crisis-aftershock-bear',
    kind: 'bear',
    from: '2008-10-28',
    to: '2009-03-09',
    totalReturn: -0.15,
    vol: 0.34,
    sectorTilt: { financials: -0.4 },
  },
  {
    name: 'recovery-2009',
    kind: 'recovery',
    from: '2009-03-10',
    to: '2010-04-23',
    totalReturn: 0.65,
    vol: 0.2,
    sectorTilt: { financials: 0.2, technology: 0.08 },
  },
  { name: 'chop-2010-2012', kind: 'chop', from: '2010-04-26', to: '2012-11-30', totalReturn: 0.12, vol: 0.17 },
  {
    name: 'long-calm-bull',
    kind: 'bull',
    from: '2012-12-03',
    to: '2018-09-28',
    totalReturn: 1.0,
    vol: 0.11,
    sectorTilt: { technology: 0.04 },
  },
  { name: 'chop-2018-2019', kind: 'chop', from: '2018-10-01', to: '2019-06-28', totalReturn: 0.0, vol: 0.18 },
  { name: 'late-cycle-bull', kind: 'bull', from: '2019-07-01', to: '2020-02-19', totalReturn: 0.16, vol: 0.11 },
  {
    name: 'crash-2020',
    kind: 'crash',
    from: '2020-02-20',
    to: '2020-03-23',
    totalReturn: -0.34,
    vol: 0.55,
    shocks: [
      { date: '2020-02-24', ret: -0.034 },
      { date: '2020-02-27', ret: -0.045 },
      { date: '2020-03-09', ret: -0.078 },
      { date: '2020-03-12', ret: -0.099 },
      { date: '2020-03-13', ret: 0.085 },
      { date: '2020-03-16', ret: -0.12 },
    ],
    sectorTilt: { healthcare: 0.2 },
  },
  {
    name: 'recovery-2020',
    kind: 'recovery',
    from: '2020-03-24',
    to: '2020-12-31',
    totalReturn: 0.55,
    vol: 0.24,
    sectorTilt: { technology: 0.15, financials: -0.1 },
  },
  { name: 'calm-bull-2021', kind: 'bull', from: '2021-01-04', to: '2021-12-31', totalReturn: 0.26, vol: 0.11 },
  {
    name: 'bear-2022',
    kind: 'bear',
    from: '2022-01-03',
    to: '2022-10-12',
    totalReturn: -0.25,
    vol: 0.24,
    sectorTilt: { technology: -0.15, healthcare: 0.1, consumer: 0.05 },
  },
  { name: 'recovery-2022', kind: 'recovery', from: '2022-10-13', to: '2023-07-31', totalReturn: 0.25, vol: 0.16 },
  { name: 'chop-2023', kind: 'chop', from: '2023-08-01', to: '2023-10-27', totalReturn: -0.08, vol: 0.16 },
  {
    name: 'calm-bull-2023',
    kind: 'bull',
    from: '2023-10-30',
    to: '2024-12-31',
    totalReturn: 0.35,
    vol: 0.12,
    sectorTilt: { technology: 0.08 },
  },
] satisfies EpisodeScript[]);

/** Annual simple return and volatility of the generic episodes that fill dates outside the script. */
export const FILLER_ANNUAL_RETURN = 0.08;
export const FILLER_VOL = 0.14;

/** The scripted episode with this name; throws on an unknown name (a typo in a test, say). */
export function scriptedEpisode(name: string): EpisodeScript {
  const e = DEMO_EPISODE_SCRIPT.find((x) => x.name === name);
  if (!e) throw new RangeError(`no demo episode named "${name}"`);
  return e;
}
