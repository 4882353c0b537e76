/**
 * @module Scenario f, kill -9 at every crash-relevant write. Paper: the account first trades
 * TREND_BULL top 3 (a completed run), then the command under test rebalances it to TREND_NEUTRAL
 * top 5 (SELLs that reduce, then BUYs). Alpaca: the fake account holds INTC and ORCL; the command
 * rebalances to TREND_NEUTRAL top 3 (ORCL closed, INTC resized, two names opened). An
 * uninterrupted run gives the baseline positions and the points (ATLAS_CHAOS_TRACE=1); each trial
 * kills the command at one point and reruns it until done.
 */
import { expect } from 'vitest';
import { alpacaRig, atlas, copyDir, paperRig, rebalanceArgs, seededDir, tracePoints, type BrokerKind, type Rig } from './harness.js';
import { killTrial, type KillTrial } from './killSweep.js';

export interface KillPlan {
  kind: BrokerKind;
  /** Every point of the uninterrupted run, N = index + 1. */
  points: { n: number; kind: string; where: string }[];
  baseline: Record<string, number>;
  /** A fresh rig in the state the command starts from. */
  fresh(): Promise<Rig>;
  args(rig: Rig): string[];
}

const PAPER_FLAGS = ['--top-n', '5', '--regime', 'TREND_NEUTRAL'];
const ALPACA_FLAGS = ['--top-n', '3', '--regime', 'TREND_NEUTRAL'];

export async function planKills(kind: BrokerKind): Promise<KillPlan> {
  let fresh: () => Promise<Rig>;
  let flags: string[];
  if (kind === 'paper') {
    const prepared = seededDir();
    const setupRig = paperRig(prepared);
    const setup = await atlas(setupRig, rebalanceArgs(setupRig, ['--top-n', '3', '--regime', 'TREND_BULL']));
    expect(setup.code, setup.stderr).toBe(0);
    expect(setup.outcome).toBe('completed');
    fresh = () => Promise.resolve(paperRig(copyDir(prepared)));
    flags = PAPER_FLAGS;
  } else {
    fresh = () => alpacaRig(seededDir(), { holdings: { INTC: 100, ORCL: 40 } });
    flags = ALPACA_FLAGS;
  }
  const args = (rig: Rig) => rebalanceArgs(rig, flags);
  const rig = await fresh();
  try {
    const run = await atlas(rig, args(rig), { ATLAS_CHAOS_TRACE: '1' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.outcome).toBe('completed');
    const points = tracePoints(run.stderr);
    const orders = rig.orders().filter((o) => o.clientOrderId.startsWith(`atlas-${run.runId}-`));
    expect(orders.some((o) => o.side === 'sell') && orders.some((o) => o.side === 'buy')).toBe(true);
    return { kind, points, baseline: rig.exposure().positions, fresh, args };
  } finally {
    await rig.close();
  }
}

export async function runKill(plan: KillPlan, n: number): Promise<KillTrial> {
  const rig = await plan.fresh();
  try {
    return await killTrial(rig, plan.args(rig), n);
  } finally {
    await rig.close();
  }
}

/** The first point whose description matches, for the fast sample. */
export function pointWhere(plan: KillPlan, pattern: RegExp, nth = 1): number {
  const hits = plan.points.filter((p) => pattern.test(`${p.kind} ${p.where}`));
  const p = hits[nth - 1];
  if (!p) throw new Error(`no chaos point matches ${pattern} (x${nth}) in: ${plan.points.map((x) => `${x.n} ${x.kind} ${x.where}`).join(', ')}`);
  return p.n;
}
