export * from './executionLog.js';
export { redact, REDACTED } from '../../core/redact.js';
export { FileLock, sleepSync, type FileLockOptions, type LockFs } from './fileLock.js';
