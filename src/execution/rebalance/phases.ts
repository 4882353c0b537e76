/**
 * @module The two phases of a live run: send the SELLs and wait for their fills, then re-size,
 * re-validate and send the BUYs and wait for theirs. When orders are still working after a
 * phase's submissions and the market is closed (--force outside the session), the run ends
 * 'queued' and keeps its state: `--resume` after the open waits for the fills and goes on. With
 * `buysAfterOpen` (the daemon) BUYs are never sent while closed: a buy-only run ends queued with
 * its BUYs unsent, and the resume re-sizes them at the open. No fill timeout runs while the
 * market is closed, so nothing queued is canceled by one.
 */
import { describeError } from '../../core/errors.js';
import { isLiveState } from '../orders/states.js';
import type { RunContext } from './context.js';
import { revalidate } from './gatesStep.js';
import { resizeUnsentBuys } from './resize.js';
import type { OrderLeg } from './runId.js';
import type { MarketSession } from './session.js';
import { submitOne } from './submit.js';
import { allocationView, completionOf, summarize } from './summary.js';
import type { AllocationView, RebalanceResult } from './types.js';
import { waitForFills } from './waitFills.js';

function hasLive(ctx: RunContext, leg: OrderLeg): boolean {
  return ctx.orders(leg).some((o) => isLiveState(o.state));
}

function endQueued(ctx: RunContext, phase: 'sells' | 'buys', session: MarketSession, held = false): RebalanceResult {
  ctx.runs.setPhase(ctx.runId, phase, 'queued');
  const nextOpen = session.nextOpen ? session.nextOpen.toISOString() : null;
  const resume = `atlas rebalance --resume ${ctx.runId}`;
  ctx.result.outcome = 'queued';
  ctx.result.queued = { nextOpen, phase, resume };
  ctx.settle();
  const then = phase === 'sells' ? 'wait for the SELL fills, then re-size and send the BUYs' : held ? 're-size and send the BUYs' : 'wait for the BUY fills';
  const what = held ? 'the BUYs wait for the open' : `${ctx.result.summary.queued} order(s) queued for the open`;
  ctx.note(`the market is closed: ${what}${nextOpen ? ` at ${nextOpen}` : ''}; after the open run \`${resume}\` to ${then}`);
  ctx.endRun({ outcome: 'queued', phase, nextOpen, resume, summary: ctx.result.summary }, 'QUEUED');
  return ctx.result;
}

/** Sends a leg's unsent orders; returns the session they were sent in. */
async function sendLeg(ctx: RunContext, leg: OrderLeg): Promise<MarketSession> {
  const session = await ctx.session();
  for (const o of ctx.orders(leg).filter((x) => x.state === 'planned')) await submitOne(ctx, o, session);
  return session;
}

/** Waits for the leg unless the market is closed (then the run ends queued: returns that result). */
async function awaitLeg(ctx: RunContext, leg: OrderLeg, phase: 'sells' | 'buys'): Promise<RebalanceResult | undefined> {
  if (!hasLive(ctx, leg)) return undefined;
  const session = await ctx.session();
  if (!session.open) return endQueued(ctx, phase, session);
  await waitForFills(ctx, leg);
  return undefined;
}

export async function executePhases(ctx: RunContext, resumed: boolean): Promise<RebalanceResult> {
  let run = ctx.run();
  if (run.phase === 'sells') {
    const unsent = ctx.orders('sell').filter((o) => o.state === 'planned');
    if (resumed && unsent.length > 0) {
      const v = await revalidate(ctx, unsent, await ctx.snapshot());
      if ('stopped' in v) return v.stopped;
    }
    if (unsent.length > 0) await sendLeg(ctx, 'sell');
    const queued = await awaitLeg(ctx, 'sell', 'sells');
    if (queued) return queued;
    run = ctx.runs.setPhase(ctx.runId, 'buys', 'open');
    await ctx.hook(ctx.deps.hooks?.afterPhase && (() => ctx.deps.hooks!.afterPhase!('sells')));
  }
  if (run.phase === 'buys') {
    if (run.status !== 'open') ctx.runs.setStatus(ctx.runId, 'open');
    const unsent = ctx.orders('buy').filter((o) => o.state === 'planned');
    if (unsent.length > 0 && ctx.req.buysAfterOpen) {
      // Sized at the open, not the close (types.ts buysAfterOpen): nothing is sent while closed.
      const session = await ctx.session();
      if (!session.open) return endQueued(ctx, 'buys', session, true);
    }
    if (unsent.length > 0) {
      const sized = await resizeUnsentBuys(ctx, unsent);
      if ('stopped' in sized) return sized.stopped;
      if (sized.toSend.length > 0) await sendLeg(ctx, 'buy');
    }
    const queued = await awaitLeg(ctx, 'buy', 'buys');
    if (queued) return queued;
    ctx.runs.setPhase(ctx.runId, 'done', 'completed', { ...summarize(ctx.orders()) });
    await ctx.hook(ctx.deps.hooks?.afterPhase && (() => ctx.deps.hooks!.afterPhase!('buys')));
  }
  ctx.settle();
  ctx.result.final = await finalAllocation(ctx);
  ctx.result.outcome = completionOf(ctx.result.summary);
  ctx.endRun({ outcome: ctx.result.outcome, resumed, summary: ctx.result.summary, exposurePct: ctx.result.final?.exposurePct ?? null }, 'OK');
  return ctx.result;
}

/** The account read back from the broker (null, with a note, when it cannot be read). */
export async function finalAllocation(ctx: RunContext): Promise<AllocationView | null> {
  try {
    const account = await ctx.broker.getAccount();
    const positions = await ctx.broker.getPositions();
    return allocationView(account.equity, new Map(positions.map((p) => [p.symbol, { qty: p.qty, value: p.marketValue }])));
  } catch (err) {
    ctx.note(`could not read the account back for the final report (${describeError(err)})`);
    return null;
  }
}
