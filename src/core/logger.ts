/**
 * @module Structured logs (pino) on stderr, so stdout stays clean for tables and --json.
 *
 * Redaction happens on the serialized line, in the destination: whatever was logged (a string,
 * an object with nested fields, an Error with its message and stack, a provider's response
 * body) is one JSON line by then, and that line passes through `redact()` before it is written.
 * Masking fields by name (pino's `redact` paths) catches secrets whose values nobody registered.
 */
import { writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { DestinationStream, Logger } from 'pino';
import { REDACTED, redact } from './redact.js';

/** Where finished log lines go; the default writes to stderr (fd 2) synchronously. */
export type LogSink = (line: string) => void;

const stderrSink: LogSink = (line) => {
  writeSync(2, line);
};

/** A pino destination that scrubs every serialized line before handing it to `sink`. */
export function redactingDestination(secrets: readonly string[] = [], sink: LogSink = stderrSink): DestinationStream {
  return {
    write(line: string) {
      sink(redact(line, secrets));
    },
  };
}

export function createLogger(level: string = 'warn', secrets: readonly string[] = [], sink: LogSink = stderrSink): Logger {
  // Loaded on the first logger made, not at import: most commands never log, and pino costs a
  // good part of a short command's start-up (src/cli/context.ts makes the logger on first use).
  const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
  return pino(
    {
      level,
      base: undefined,
      redact: {
        paths: ['*.apiKey', '*.secret', '*.secretKey', '*.keyId', 'headers.authorization', '*.headers.authorization', 'headers["apca-api-secret-key"]', '*.headers["apca-api-secret-key"]'],
        censor: REDACTED,
      },
    },
    redactingDestination(secrets, sink),
  );
}
