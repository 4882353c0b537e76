/**
 * @module Order admission: the checks a new order passes before it joins the order book (valid
 * request, known and active symbol, cash for buys, shares for sells, drills), inside one IMMEDIATE
 * transaction. Idempotent per clientOrderId: a known id returns the stored order, never a second one.
 */
import { isMarketOpenAt } from '../../../calendar/nyse.js';
import { chaosPoint } from '../../../core/chaos.js';
import { AtlasError } from '../../../core/errors.js';
import { canonicalSymbol } from '../../../data/providers/symbols.js';
import { OrderRejectedError, type Order, type OrderRequest } from '../broker.js';
import { assetOf, inactiveReason } from './activity.js';
import { EPS, isWhole, type PaperContext } from './context.js';
import { drillFor } from './drills.js';
import { accountRow, countSubmission, positionRow } from './ledger.js';
import { insertOrder, orderByClientId, toOrder, workingQty } from './orderBook.js';
import { applySlippage } from './pricing.js';
import { marketOrderPrice, reservedCash } from './prices.js';

const CLIENT_ORDER_ID_MAX = 128;
const TIME_IN_FORCE = ['day', 'gtc', 'opg', 'cls'];

function refuse(ctx: PaperContext, cid: string, req: OrderRequest, reason: string): never {
  throw new OrderRejectedError(`Paper account ${ctx.account} rejected order ${cid} (${String(req.side)} ${String(req.qty)} ${String(req.symbol)}): ${reason}.`, {
    clientOrderId: cid,
    reason,
  });
}

/**
 * Admits an order: stored as 'new' when placed during a session, 'accepted' (queued for the next
 * open) when placed while the market is closed. Never fills anything; fills happen on polls.
 */
export function admit(ctx: PaperContext, req: OrderRequest): Order {
  const cid = req.clientOrderId;
  if (typeof cid !== 'string' || cid.trim() === '' || cid.length > CLIENT_ORDER_ID_MAX) {
    throw new AtlasError(`Order clientOrderId must be 1 to ${CLIENT_ORDER_ID_MAX} characters; it is the key that keeps a retried order from trading twice.`, { code: 'INVALID_ORDER' });
  }
  const no: (reason: string) => never = (reason) => refuse(ctx, cid, req, reason);
  const outcome = ctx.db.transaction((): { order: Order } | { refuse: string } => {
    const existing = orderByClientId(ctx, cid);
    if (existing) return { order: toOrder(existing) };
    const account = accountRow(ctx);
    let symbol: string;
    try {
      symbol = canonicalSymbol(String(req.symbol));
    } catch {
      return no(`'${String(req.symbol).slice(0, 20)}' is not a valid symbol`);
    }
    if (req.side !== 'buy' && req.side !== 'sell') no('side must be buy or sell');
    if (req.type !== 'market' && req.type !== 'limit') no('type must be market or limit');
    if (!TIME_IN_FORCE.includes(req.timeInForce)) no('time in force must be day, gtc, opg or cls');
    if (!Number.isFinite(req.qty) || req.qty <= 0) no('quantity must be a positive number of shares');
    if (!isWhole(req.qty) && !ctx.allowFractional()) no(`fractional quantity ${req.qty}; this paper account trades whole shares only`);
    const qty = isWhole(req.qty) ? Math.round(req.qty) : req.qty;
    let limitPrice: number | null = null;
    if (req.type === 'limit') {
      if (req.limitPrice === undefined || !Number.isFinite(req.limitPrice) || req.limitPrice <= 0) no('a limit order needs a positive limitPrice');
      limitPrice = req.limitPrice;
    } else if (req.limitPrice !== undefined) {
      no('a market order must not carry a limitPrice');
    }
    const asset = assetOf(ctx, symbol);
    if (!asset) no(`the store has no bars for ${symbol}, so it cannot be traded on paper`);
    if (!asset.tradable) no(inactiveReason(symbol));

    const ref = limitPrice ?? marketOrderPrice(ctx, symbol);
    if (ref === undefined) no(`the store has no price for ${symbol} yet`);
    if (req.side === 'buy') {
      const cost = qty * applySlippage(ref, 'buy', ctx.slippageBps, limitPrice);
      const available = account.cash - reservedCash(ctx);
      if (cost > available + EPS) no(`insufficient cash: the order needs about ${cost.toFixed(2)} and ${Math.max(0, available).toFixed(2)} is available`);
    } else {
      const held = positionRow(ctx, symbol)?.qty ?? 0;
      const committed = workingQty(ctx, 'sell', symbol);
      if (qty > held - committed + EPS) {
        no(`insufficient quantity: the account holds ${held} ${symbol}${committed > 0 ? ` (${committed} already in open sell orders)` : ''} and cash accounts cannot sell short`);
      }
    }

    const drill = drillFor(ctx.policy(), symbol, countSubmission(ctx));
    // A drill refusal still counts as a submission: the counter must survive the throw.
    if ('refuse' in drill) return { refuse: drill.refuse };
    const now = ctx.clock.now();
    const open = isMarketOpenAt(now);
    const row = insertOrder(ctx, {
      client_order_id: cid, symbol, side: req.side, qty, type: req.type, limit_price: limitPrice, time_in_force: req.timeInForce,
      drill: drill.tag, status: open ? 'new' : 'accepted', submittedAt: now, submittedOpen: open,
    });
    return { order: toOrder(row) };
  }).immediate();
  chaosPoint('store', 'paper order admitted');
  if ('refuse' in outcome) no(outcome.refuse);
  return outcome.order;
}
