/**
 * The one error type a user sees. `message` is a single sentence that says what is wrong and
 * how to fix it; the CLI prints it without a stack trace and exits with `exitCode`.
 */
/** Codes for file-system and store failures (see core/ioErrors.ts) and a damaged audit trail. */
export type IoErrorCode = 'DISK_FULL' | 'READ_ONLY' | 'PERMISSION_DENIED' | 'IS_A_DIRECTORY' | 'STORE_CORRUPT' | 'IO_ERROR' | 'AUDIT_LOG_DAMAGED';

export class AtlasError extends Error {
  readonly exitCode: number;
  readonly code: string;

  constructor(message: string, options: { code?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AtlasError';
    this.code = options.code ?? 'ATLAS_ERROR';
    this.exitCode = options.exitCode ?? 1;
  }
}

/** A provider or broker answered with an error that a retry may cure (timeout, 429, 5xx, reset). */
export class TransientError extends AtlasError {
  readonly retryAfterMs: number | undefined;

  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown; code?: string } = {}) {
    super(message, { code: options.code ?? 'TRANSIENT', cause: options.cause });
    this.name = 'TransientError';
    this.retryAfterMs = options.retryAfterMs;
  }
}

export function isAtlasError(err: unknown): err is AtlasError {
  return err instanceof AtlasError;
}

/** Best-effort one-line description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
