/** The simulated demo market (see ./market.ts and docs/demo-market.md). */
export * from './market.js';
