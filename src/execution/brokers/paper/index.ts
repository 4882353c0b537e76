export {
  ACTIVE_WINDOW_DAYS,
  DEFAULT_PAPER_CASH,
  DEFAULT_SLIPPAGE_BPS,
  PaperBroker,
  paperAccountName,
  type PaperAccountInfo,
  type PaperBrokerOptions,
  type PaperFill,
  type PaperFillPolicy,
} from './paperBroker.js';
export { applySlippage, decideFill, firstSessionAfter, knownUntil, limitTouch, type FillBasis, type PricingDecision, type PricingInput } from './pricing.js';
