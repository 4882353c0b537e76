/** @module The order life cycle: events, local states, the transition table, reconciliation. */
export * from './events.js';
export * from './states.js';
export * from './transition.js';
export * from './reconcile.js';
export * from './toAudit.js';
