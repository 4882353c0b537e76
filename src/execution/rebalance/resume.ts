/**
 * @module Resuming a run that exists (the same command the same day, or --resume): reconcile
 * every order with the broker first (nothing is sent twice), then finish the phases. Also the
 * dry-run description of an existing run and the closing of RUN_STARTs a killed process left.
 */
import { AtlasError } from '../../core/errors.js';
import { readExecutionLog } from '../audit/executionLog.js';
import type { RunContext } from './context.js';
import { executePhases, finalAllocation } from './phases.js';
import { reconcileRun } from './reconcileRun.js';
import type { RunRecord } from './runStore.js';
import type { RebalanceResult } from './types.js';

export function describeExisting(ctx: RunContext, run: RunRecord): RebalanceResult {
  ctx.log.runStart({ mode: 'dry-run', existingRun: true, phase: run.phase, status: run.status });
  ctx.settle();
  ctx.result.outcome = 'dry_run';
  const then = run.status === 'completed' ? 'place no new orders' : run.status === 'abandoned' ? 'start a new attempt' : 'finish it';
  ctx.note(`run ${run.runId} already exists (phase ${run.phase}, ${run.status}); without --dry-run this command would reconcile it with the broker and ${then}`);
  ctx.endRun({ outcome: 'dry_run', existingRun: true }, 'DRY_RUN');
  return ctx.result;
}

/** Closes RUN_STARTs of earlier invocations of this run that ended without a RUN_END (a killed process). */
export function closeDanglingStarts(ctx: RunContext): void {
  let starts = 0;
  let ends = 0;
  try {
    for (const r of readExecutionLog(ctx.deps.auditDir, { runId: ctx.runId })) {
      if (r.event === 'RUN_START') starts++;
      else if (r.event === 'RUN_END') ends++;
    }
  } catch {
    return;
  }
  for (let i = ends; i < starts; i++) {
    ctx.log.runEnd({ outcome: 'aborted', note: 'an earlier invocation of this run stopped without RUN_END (process killed); closed on resume' }, 'ABORTED');
  }
}

export async function resumeRun(ctx: RunContext, run: RunRecord): Promise<RebalanceResult> {
  if (run.status === 'abandoned') {
    throw new AtlasError(`Run ${run.runId} was abandoned; run the same command without --resume to start a new attempt.`, { code: 'RUN_ABANDONED' });
  }
  closeDanglingStarts(ctx);
  ctx.log.runStart({ mode: 'resume', phase: run.phase, status: run.status, params: run.params, onTimeout: ctx.onTimeout, fillTimeoutMs: ctx.fillTimeoutMs });
  ctx.note(`resuming run ${run.runId} (phase ${run.phase}, ${run.status}): reconciling every order with the broker first`);
  await reconcileRun(ctx, { source: 'resume', lost: 'throw' });
  if (run.status === 'completed') {
    ctx.result.outcome = 'already_completed';
    ctx.settle();
    ctx.result.final = await finalAllocation(ctx);
    ctx.endRun({ outcome: 'already_completed', summary: ctx.result.summary }, 'OK');
    return ctx.result;
  }
  if (run.status === 'stopped') ctx.runs.setStatus(ctx.runId, 'open');
  return executePhases(ctx, true);
}
