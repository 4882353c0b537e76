/**
 * @module `atlas rebalance --abandon RUN_ID`: reconcile the run with the broker, cancel what is
 * still working (after confirmation or --yes), close every never-sent order, and end the run
 * ABANDONED, so the same command can start a new attempt (a new run id, see runId.ts). The way
 * out of a run whose orders the broker has forgotten (e.g. after `atlas paper reset`).
 */
import { AtlasError } from '../../core/errors.js';
import { isLiveState } from '../orders/states.js';
import type { RunContext } from './context.js';
import { finalAllocation } from './phases.js';
import { reconcileRun } from './reconcileRun.js';
import { closeDanglingStarts } from './resume.js';
import type { RunRecord } from './runStore.js';
import { refOf } from './submit.js';
import type { RebalanceResult } from './types.js';
import { cancelAndConfirm } from './waitFills.js';

export async function abandonRun(ctx: RunContext, run: RunRecord): Promise<RebalanceResult> {
  closeDanglingStarts(ctx);
  ctx.log.runStart({ mode: 'abandon', phase: run.phase, status: run.status });
  if (run.status === 'abandoned') {
    ctx.settle();
    ctx.result.outcome = 'abandoned';
    ctx.note(`run ${run.runId} was already abandoned; the same command starts a new attempt`);
    ctx.endRun({ outcome: 'abandoned', already: true }, 'ABANDONED');
    return ctx.result;
  }
  await reconcileRun(ctx, { source: 'abandon', lost: 'record' });
  const working = ctx.orders().filter((o) => isLiveState(o.state) || o.state === 'left_open');
  if (working.length > 0) {
    ctx.settle();
    ctx.deps.onPreview?.(ctx.result);
    if (!ctx.req.yes) {
      if (!ctx.deps.confirm) {
        ctx.endRun({ outcome: 'refused', reason: 'no terminal to confirm and no --yes' }, 'REFUSED');
        throw new AtlasError(`Refusing to cancel ${working.length} working order(s) of run ${run.runId} without confirmation: there is no terminal to ask on; pass --yes to confirm.`, {
          code: 'CONFIRMATION_REQUIRED',
        });
      }
      if (!(await ctx.deps.confirm(ctx.result))) {
        ctx.result.outcome = 'declined';
        ctx.endRun({ outcome: 'declined' }, 'DECLINED');
        return ctx.result;
      }
    }
    await cancelAndConfirm(ctx, undefined, working, { source: 'abandon', reason: 'canceled by --abandon', leftReason: 'cancel requested by --abandon' });
  }
  for (const o of ctx.orders().filter((x) => x.state === 'planned' || x.state === 'submitting')) {
    ctx.record({ ...refOf(o), kind: 'Abandoned', reason: 'never sent; the run was abandoned (--abandon)' });
  }
  const still = ctx.orders().filter((o) => o.state === 'left_open');
  if (still.length > 0) ctx.note(`${still.length} order(s) could not be confirmed canceled and may still trade: ${still.map((o) => o.clientOrderId).join(', ')}; check the account`);
  ctx.runs.setStatus(ctx.runId, 'abandoned');
  ctx.settle();
  ctx.result.final = await finalAllocation(ctx);
  ctx.result.outcome = 'abandoned';
  ctx.endRun({ outcome: 'abandoned', summary: ctx.result.summary }, 'ABANDONED');
  return ctx.result;
}
