import { describe, expect, it } from 'vitest';
import { jobsBetween, nextJob, type DeployedAccount } from '../../src/operations/schedule/jobs.js';

const large: DeployedAccount = { account: 'LARGE', broker: 'alpaca', rebalance: 'semiannual', regimeMode: 'rebalance', strategyName: 's' };
const small: DeployedAccount = { account: 'SMALL', broker: 'paper', rebalance: 'monthly', regimeMode: 'daily', strategyName: 'd' };

describe('the daemon timetable', () => {
  it('lists one after-close job per session at close + 30 min, in New York time, with the rebalance on the first session of the period', () => {
    const jobs = jobsBetween(new Date('2024-07-29T00:00:00Z'), new Date('2024-08-03T00:00:00Z'), [large]);
    expect(jobs.filter((j) => j.kind === 'after_close').map((j) => [j.id, j.at.toISOString()])).toEqual([
      ['after_close:2024-07-29', '2024-07-29T20:30:00.000Z'],
      ['after_close:2024-07-30', '2024-07-30T20:30:00.000Z'],
      ['after_close:2024-07-31', '2024-07-31T20:30:00.000Z'],
      ['after_close:2024-08-01', '2024-08-01T20:30:00.000Z'],
      ['after_close:2024-08-02', '2024-08-02T20:30:00.000Z'],
    ]);
    expect(jobs.find((j) => j.id === 'after_open:2024-08-02')!.at.toISOString()).toBe('2024-08-02T13:35:00.000Z');
    expect(jobs.find((j) => j.id === 'after_close:2024-08-01')!.rebalances).toEqual(['LARGE']);
    expect(jobs.find((j) => j.id === 'after_close:2024-07-31')!.rebalances).toEqual([]);
  });

  it('respects early closes and holidays (Black Friday 13:00, Thanksgiving closed) and winter time', () => {
    const jobs = jobsBetween(new Date('2024-11-27T00:00:00Z'), new Date('2024-12-03T00:00:00Z'), [large]);
    expect(jobs.filter((j) => j.kind === 'after_close').map((j) => [j.id, j.at.toISOString()])).toEqual([
      ['after_close:2024-11-27', '2024-11-27T21:30:00.000Z'],
      ['after_close:2024-11-29', '2024-11-29T18:30:00.000Z'],
      ['after_close:2024-12-02', '2024-12-02T21:30:00.000Z'],
    ]);
  });

  it('daily-mode accounts get a check after every close; every session has an after-open job', () => {
    const jobs = jobsBetween(new Date('2024-03-04T00:00:00Z'), new Date('2024-03-06T00:00:00Z'), [large, small]);
    expect(jobs.map((j) => j.id)).toEqual(['after_open:2024-03-04', 'after_close:2024-03-04', 'after_open:2024-03-05', 'after_close:2024-03-05']);
    expect(jobs[1].dailyChecks).toEqual(['SMALL']);
    expect(jobs[1].tasks).toContain("rebalance SMALL if the regime's allocation changed (daily mode)");
  });

  it('nextJob skips a long weekend', () => {
    expect(nextJob(new Date('2024-08-30T21:00:00Z'), [large]).id).toBe('after_open:2024-09-03');
    expect(nextJob(new Date('2024-08-30T21:00:00Z'), []).id).toBe('after_close:2024-09-03');
  });
});
