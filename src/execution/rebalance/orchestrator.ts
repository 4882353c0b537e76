/**
 * @module Run sequencing: which run this invocation is (fresh, resumed, or abandoned) and the
 * error handling they share. The steps live in one file each: fresh.ts (signal, plan, gates,
 * persist), phases.ts (SELLs then BUYs, or 'queued' while the market is closed), submit.ts,
 * waitFills.ts (one list call per poll cycle, trade updates when the broker has them),
 * resize.ts (BUY re-sizing), reconcileRun.ts (the broker vs the run store through the pure
 * `reconcile`), resume.ts, abandon.ts. Every component takes the one Clock.
 *
 * Crash safety (docs/rebalance.md): the run and every planned order (with its client order id)
 * are written to the run store before anything is sent; an order is marked `Submitted` before
 * submitOrder is called; a phase change is written before the next phase starts. On resume every
 * order that is not final locally is reconciled with the broker first, so an order is never
 * placed twice. Each order event's audit line is written before its state change, so a crash can
 * at worst repeat a line on resume, never lose one.
 */
import { nyDateOf } from '../../calendar/nyse.js';
import { AtlasError, TransientError, describeError } from '../../core/errors.js';
import { abandonRun } from './abandon.js';
import { HookCrash, RunContext } from './context.js';
import { freshRun } from './fresh.js';
import { withAccountLease } from './leaseStep.js';
import { describeExisting, resumeRun } from './resume.js';
import { assertRunId, computeRunId, MAX_RUN_ATTEMPTS } from './runId.js';
import type { RunRecord, RunStore } from './runStore.js';
import type { RebalanceDeps, RebalanceRequest, RebalanceResult } from './types.js';

export * from './types.js';
export { summarize, sessionsMissingAfter, allocationView } from './summary.js';

/** Runs (or resumes, or abandons) one rebalance. */
export async function runRebalance(req: RebalanceRequest, deps: RebalanceDeps): Promise<RebalanceResult> {
  const ctx = new RunContext(req, deps);
  if (req.abandonRunId !== undefined) {
    const run = mustRun(deps.runs, assertRunId(req.abandonRunId), '--abandon');
    ctx.begin(run.runId, run.account, run.broker, true);
    return leased(ctx, () => guard(ctx, () => abandonRun(ctx, run), 'abandoning'));
  }
  if (req.resumeRunId !== undefined) {
    const run = mustRun(deps.runs, assertRunId(req.resumeRunId), '--resume');
    ctx.begin(run.runId, run.account, run.broker, true);
    if (req.dryRun) return describeExisting(ctx, run);
    return leased(ctx, () => guard(ctx, () => resumeRun(ctx, run), 'resuming'));
  }
  const { runId, record } = currentAttempt(ctx, req);
  if (record) {
    ctx.begin(runId, record.account, record.broker, true);
    if (req.dryRun) return describeExisting(ctx, record);
    return leased(ctx, () => guard(ctx, () => resumeRun(ctx, record), 'resuming'));
  }
  ctx.begin(runId, req.account, req.brokerKind, false);
  if (req.dryRun) return guard(ctx, () => freshRun(ctx), undefined);
  return leased(ctx, () => guard(ctx, () => freshRun(ctx), undefined));
}

function mustRun(runs: RunStore, runId: string, flag: string): RunRecord {
  const run = runs.get(runId);
  if (!run) {
    throw new AtlasError(`There is no rebalance run ${runId} in this data directory; check the id with \`atlas log\`${flag === '--resume' ? ' or start a new run without --resume' : ''}.`, {
      code: 'RUN_NOT_FOUND',
    });
  }
  return run;
}

/** Today's run of this command: the first attempt that was not abandoned (it may not exist yet). */
function currentAttempt(ctx: RunContext, req: RebalanceRequest): { runId: string; record: RunRecord | undefined } {
  const identity = {
    tradeDate: nyDateOf(ctx.now()),
    account: req.account,
    broker: req.brokerKind,
    universe: req.universe.name,
    topN: req.topN,
    regimeOverride: req.regimeOverride,
    ...(req.strategyHash ? { strategyHash: req.strategyHash } : {}),
  };
  for (let attempt = 1; attempt <= MAX_RUN_ATTEMPTS; attempt++) {
    const runId = computeRunId(identity, attempt);
    const record = ctx.runs.get(runId);
    if (record?.status !== 'abandoned') return { runId, record };
  }
  throw new AtlasError(`This command was abandoned ${MAX_RUN_ATTEMPTS} times today; change a parameter or wait for the next trading day.`, { code: 'RUN_ATTEMPTS_EXHAUSTED' });
}

/** A live run holds the account lease (one order-placing process per account) from start to end. */
async function leased(ctx: RunContext, body: () => Promise<RebalanceResult>): Promise<RebalanceResult> {
  const pre = ctx.deps.preTrade;
  return withAccountLease(ctx, async () => {
    await pre?.runStart?.(ctx.runId);
    try {
      return await body();
    } finally {
      await pre?.runEnd?.(ctx.runId);
    }
  });
}

/** Error handling shared by every kind of run: ERROR + RUN_END, then a sentence with the way forward. */
async function guard(ctx: RunContext, body: () => Promise<RebalanceResult>, doing: 'resuming' | 'abandoning' | undefined): Promise<RebalanceResult> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof HookCrash) throw err.original;
    const persisted = ctx.runs.get(ctx.runId) !== undefined;
    // A lost order cannot be resumed: its sentence already names --abandon.
    const lost = err instanceof AtlasError && (err.code === 'RUN_ORDER_LOST' || err.code === 'RUN_ABANDONED' || err.code === 'CONFIRMATION_REQUIRED');
    try {
      ctx.log.error(err);
      if (!ctx.ended) {
        const resume = persisted && !lost ? `atlas rebalance --resume ${ctx.runId}` : null;
        ctx.endRun({ outcome: persisted && !lost ? 'interrupted' : 'failed', error: describeError(err), resume }, persisted && !lost ? 'INTERRUPTED' : 'FAILED');
      }
    } catch {
      // the audit log itself failed: the original error matters more
    }
    if (!persisted || lost) throw err;
    const again = doing === 'abandoning' ? `atlas rebalance --abandon ${ctx.runId}` : `atlas rebalance --resume ${ctx.runId}`;
    throw new AtlasError(
      `Rebalance run ${ctx.runId} stopped${doing ? ` while ${doing}` : ''}: ${describeError(err).replace(/\.$/, '')}; nothing is lost, run \`${again}\`${doing === 'abandoning' ? '' : ' (or the same command again today)'} to reconcile and finish.`,
      { code: err instanceof TransientError ? 'RUN_INTERRUPTED_TRANSIENT' : 'RUN_INTERRUPTED', cause: err },
    );
  }
}
