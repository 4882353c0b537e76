import { pino, type Logger } from 'pino';

/**
 * Structured logs go to stderr so stdout stays clean for tables and --json. Secret values are
 * replaced before any line is written.
 */
export function createLogger(level: string = 'warn', secrets: readonly string[] = []): Logger {
  return pino(
    {
      level,
      base: undefined,
      redact: { paths: ['*.apiKey', '*.secret', '*.secretKey', '*.keyId', 'headers.authorization', '*.headers.authorization'], censor: '[redacted]' },
      hooks: {
        logMethod(args, method) {
          if (secrets.length > 0) {
            args = args.map((a) => (typeof a === 'string' ? redact(a, secrets) : a)) as typeof args;
          }
          method.apply(this, args);
        },
      },
    },
    pino.destination({ fd: 2, sync: true }),
  );
}

export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s) out = out.split(s).join('[redacted]');
  return out;
}
