export * from './runId.js';
export * from './signal.js';
export * from './plan.js';
export * from './runStore.js';
export * from './orchestrator.js';
export * from './report.js';
