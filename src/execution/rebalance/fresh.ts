/**
 * @module A fresh run: signal -> broker snapshot -> plan -> pre-trade checks -> seven gates ->
 * (confirm) -> persist every planned order BEFORE the first is sent -> the phases.
 */
import { nyDateOf } from '../../calendar/nyse.js';
import { AtlasError } from '../../core/errors.js';
import { DEFAULT_ALLOCATION } from '../../portfolio/allocation.js';
import { validateBatch } from '../gates/index.js';
import type { OrderIntent } from '../orderPlan.js';
import { eventToAudit } from '../orders/toAudit.js';
import type { RunContext } from './context.js';
import { stopRun } from './gatesStep.js';
import { executePhases } from './phases.js';
import { buildGateContext, formatWorkingOrders, listWorkingOrders, planFromSnapshot, toGateOrders } from './plan.js';
import { runPreflightStep } from './preflightStep.js';
import { cashBudget } from '../preflight/index.js';
import { DEFAULT_GATE_LIMITS } from '../gates/types.js';
import { clientOrderIdFor, type OrderLeg } from './runId.js';
import { plannedEventOf } from './runStore.js';
import { computeSignal, type RebalanceSignal } from './signal.js';
import { allocationView, sessionsMissingAfter } from './summary.js';
import type { PlanOrderView, RebalanceResult } from './types.js';

function signalOf(ctx: RunContext): RebalanceSignal {
  if (ctx.deps.signal) return ctx.deps.signal(ctx.req);
  if (!ctx.deps.store) throw new AtlasError('The rebalancer needs a bar store (or a signal) to decide what to hold.', { code: 'NO_STORE' });
  return computeSignal(ctx.deps.store, { universe: ctx.req.universe, topN: ctx.req.topN, regimeOverride: ctx.req.regimeOverride });
}

export async function freshRun(ctx: RunContext): Promise<RebalanceResult> {
  const req = ctx.req;
  ctx.log.runStart({
    mode: req.dryRun ? 'dry-run' : 'live',
    universe: req.universe.name,
    topN: req.topN,
    regimeOverride: req.regimeOverride ?? null,
    force: req.force === true,
    strict: req.strict === true,
    minNotional: ctx.minNotional,
    onTimeout: ctx.onTimeout,
    fillTimeoutMs: ctx.fillTimeoutMs,
    ...(req.strategyHash ? { strategyHash: req.strategyHash } : {}),
  });
  const signal = signalOf(ctx);
  ctx.result.signal = signal;
  for (const n of signal.notes) ctx.note(n);
  const stale = sessionsMissingAfter(signal.dataDate, nyDateOf(ctx.now()));
  if (stale > 0) {
    ctx.note(`the latest data is from ${signal.dataDate}, ${stale} session(s) before today: the scan and the sizing prices are stale; run \`atlas data sync\` first`);
  }
  ctx.log.signal({
    regime: signal.regime,
    selection: signal.selected,
    detail: {
      regimeSource: signal.regimeSource,
      modelRegime: signal.modelRegime,
      modelDate: signal.modelDate,
      dataDate: signal.dataDate,
      allocation: signal.allocation,
      universe: signal.universe.name,
      targets: signal.targets,
      override: signal.regimeSource === 'override',
    },
  });

  const snap = await ctx.snapshot();
  const cashLike = new Set(signal.sleeve?.cashLike ?? []);
  // The plan sees the account's resulting state: positions plus every working order at the broker.
  const { plan, prices, working } = planFromSnapshot({
    snapshot: snap,
    targets: signal.targets,
    targetPrices: signal.prices,
    priceOf: (s) => ctx.lastPrice(s),
    minNotional: ctx.minNotional,
    buyPriceBuffer: ctx.buyPriceBuffer,
    ...(ctx.req.sellCostBps === undefined ? {} : { sellCostBps: ctx.req.sellCostBps }),
    cashBudget: cashBudget(snap.account, false).budget,
    exposureCap: signal.allocation + (req.gateLimits?.regimeTolerance ?? DEFAULT_GATE_LIMITS.regimeTolerance),
    cashLike,
  });
  ctx.result.working = listWorkingOrders(working);
  if (working.length > 0) ctx.note(`counted ${working.length} working order(s) at the broker:\n${formatWorkingOrders(working).join('\n')}`);
  const views: PlanOrderView[] = plan.orders.map((o) => {
    const leg: OrderLeg = o.side === 'sell' ? 'sell' : 'buy';
    return { clientOrderId: clientOrderIdFor(ctx.runId, o.symbol, leg), leg, symbol: o.symbol, side: o.side, qty: o.qty, intent: o.intent, refPrice: o.refPrice, notional: o.notional };
  });
  ctx.result.plan = { equity: snap.account.equity, cash: snap.account.cash, buyingPower: snap.account.buyingPower, cashAfter: plan.cashAfter, orders: views, skipped: plan.skipped };
  // The Planned events the run store will hold; their audit lines are written now (dry runs too).
  const planned = views.map((v) => plannedEventOf({ ...v, intent: v.intent as OrderIntent }));
  for (const e of planned) ctx.log.append(eventToAudit(e)!);
  for (const s of plan.skipped) ctx.note(`not planned: ${s.side ?? ''} ${s.qty ?? ''} ${s.symbol} (${s.reason})`.replace(/\s+/g, ' '));

  const symbols = [...new Set(views.map((v) => v.symbol))];
  // The pre-trade step: the five pre-flight checks after the snapshot, before the gates.
  await ctx.deps.preTrade?.check?.({ runId: ctx.runId, snapshot: snap, symbols });
  const pre = await runPreflightStep(ctx, signal, snap, views);
  if (pre.stopped) return pre.stopped;
  const assets = await ctx.assetsFor(symbols);
  const built = buildGateContext({
    snapshot: snap,
    assets,
    lastPrices: ctx.lastPrices(symbols, prices),
    prices,
    regime: signal.regime,
    allocation: req.allocationMatrix ?? DEFAULT_ALLOCATION,
    now: ctx.now(),
    force: req.force === true,
    strict: req.strict === true,
    countWorkingOrders: true,
    buyPriceBuffer: ctx.buyPriceBuffer,
    referencePrice: (s) => ctx.lastPrice(s),
    ownClientOrderIds: new Set(views.map((v) => v.clientOrderId)),
    cashLike,
  });
  const gateCtx = req.gateLimits ? { ...built, limits: { ...built.limits, ...req.gateLimits } } : built;
  const validation = validateBatch(toGateOrders(views), gateCtx);
  ctx.result.validation = validation.gates;
  ctx.result.resulting = allocationView(gateCtx.equity, validation.resulting.positions);
  ctx.log.validations(validation.gates);

  if (!validation.passed) return stopRun(ctx, validation.gates, 'the plan');
  if (req.dryRun) {
    ctx.result.outcome = 'dry_run';
    ctx.endRun({ outcome: 'dry_run', orders: views.length, resultingExposurePct: ctx.result.resulting.exposurePct }, 'DRY_RUN');
    return ctx.result;
  }
  if (views.length === 0) {
    ctx.result.outcome = 'nothing_to_do';
    ctx.endRun({ outcome: 'nothing_to_do' }, 'OK');
    return ctx.result;
  }
  ctx.deps.onPreview?.(ctx.result);
  if (!req.yes) {
    if (!ctx.deps.confirm) {
      ctx.endRun({ outcome: 'refused', reason: 'no terminal to confirm and no --yes' }, 'REFUSED');
      throw new AtlasError(`Refusing to send ${views.length} order(s) without confirmation: there is no terminal to ask on; review the plan with --dry-run and pass --yes to confirm.`, {
        code: 'CONFIRMATION_REQUIRED',
      });
    }
    if (!(await ctx.deps.confirm(ctx.result))) {
      ctx.result.outcome = 'declined';
      ctx.endRun({ outcome: 'declined' }, 'DECLINED');
      return ctx.result;
    }
  }

  // Persist BEFORE the first order goes out.
  ctx.runs.create(
    {
      runId: ctx.runId,
      tradeDate: nyDateOf(ctx.now()),
      account: req.account,
      broker: req.brokerKind,
      params: {
        universe: req.universe.name,
        topN: req.topN,
        regimeOverride: req.regimeOverride ?? null,
        minNotional: ctx.minNotional,
        force: req.force === true,
        strict: req.strict === true,
        ...(req.strategyHash ? { strategyHash: req.strategyHash } : {}),
        // The account's equity when the run was planned: `atlas status` measures P&L since the last rebalance from it.
        equityAtPlan: snap.account.equity,
        ...(req.gateLimits ? { gateLimits: req.gateLimits } : {}),
        ...(req.allocationMatrix ? { allocation: req.allocationMatrix } : {}),
      },
      signal: {
        regime: signal.regime,
        regimeSource: signal.regimeSource,
        allocation: signal.allocation,
        dataDate: signal.dataDate,
        selected: signal.selected,
        targets: signal.targets,
        prices: Object.fromEntries(prices),
        ...(signal.sleeve ? { sleeve: signal.sleeve.label, cashLike: signal.sleeve.cashLike } : {}),
      },
    },
    views.map((v, i) => ({ clientOrderId: v.clientOrderId, seq: i + 1, leg: v.leg, symbol: v.symbol, side: v.side, intent: v.intent as OrderIntent, plannedQty: v.qty, qty: v.qty, refPrice: v.refPrice })),
  );
  await ctx.hook(ctx.deps.hooks?.afterPersist && (() => ctx.deps.hooks!.afterPersist!(ctx.runId)));
  return executePhases(ctx, false);
}
