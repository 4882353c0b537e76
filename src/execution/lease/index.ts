/** @module Leases: the account lease (one order-placing process per account) and its generic core. */
export * from './lease.js';
export * from './accountLease.js';
export * from './dataDirLease.js';
export * from './heartbeat.js';
export { isProcessAlive } from './processAlive.js';
