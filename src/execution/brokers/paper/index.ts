/** @module The embedded paper broker's public surface. */
export { ACTIVE_WINDOW_DAYS } from './activity.js';
export { type PaperFillPolicy } from './drills.js';
export { type PaperFill } from './fills.js';
export { DEFAULT_PAPER_CASH, paperAccountName } from './ledger.js';
export { type OrderFilter } from './orderBook.js';
export { DEFAULT_SLIPPAGE_BPS, MAX_WAIT_POLLS, PaperBroker, type PaperAccountInfo, type PaperBrokerOptions } from './paperBroker.js';
export { closedUntil, closeInstantOf, firstSessionAfter, knownUntil, orderSession } from './known.js';
export { applySlippage, decideFill, isDayOrder, limitTouch, type FillBasis, type PricingDecision, type PricingInput } from './pricing.js';
