/**
 * @module The one secret scrubber, with the one mask `[REDACTED]`, for everything that leaves
 * the process: stdout, stderr, log lines, error messages, audit lines, files written for the user.
 *
 * Three layers, applied in this order:
 * 1. exact values: the secrets passed in plus every value in the process-wide registry (the CLI
 *    registers the key variables of the environment at start, see config/env.ts), each also in
 *    its JSON-escaped and URL-encoded spelling, longest first;
 * 2. header / env / JSON assignments (`APCA-API-SECRET-KEY: x`, `token=x`, `"secret_key":"x"`);
 * 3. strings shaped like Alpaca credentials even when nobody configured them (a key id pasted
 *    into an error message, an echoed request header).
 * Lower-case hex strings (SHA-256 digests, hash chains) are not credentials and are left alone.
 */
export const REDACTED = '[REDACTED]';

/** Values shorter than this are not registered: masking "abc" everywhere would garble output. */
export const MIN_SECRET_LENGTH = 6;

/** Alpaca key ids: PK (paper), AK (live), CK: two letters then 16+ upper-case letters/digits. */
const ALPACA_KEY_ID = /\b[PAC]K[A-Z0-9]{16,}\b/g;
/** Alpaca secret keys: 40+ letters/digits with at least one of each, and not a lower-case hex digest. */
const ALPACA_SECRET = /\b(?![0-9a-f]+\b)(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{40,}\b/g;
/** Header / env style assignments: APCA-API-SECRET-KEY: xyz, APCA_API_KEY_ID=xyz, "secret": "xyz". */
const ASSIGNMENT = /((?:APCA[-_]API[-_](?:KEY[-_]ID|SECRET[-_]KEY)|secret(?:[-_]?key)?|api[-_]?key|password|token|authorization)["']?\s*[:=]\s*["']?)(?:Bearer\s+|Token\s+)?[^\s"',;}&]+/gi;

const registry = new Set<string>();
let registrySorted: string[] = [];

/** Spellings a value takes on its way out: as is, inside a JSON string, inside a URL. */
function spellings(value: string): string[] {
  const out = [value, JSON.stringify(value).slice(1, -1)];
  try {
    out.push(encodeURIComponent(value));
  } catch {
    // a lone surrogate cannot be URL-encoded; the plain spelling is still masked
  }
  return out;
}

function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort((a, b) => b.length - a.length);
}

/**
 * Adds secret values to the process-wide registry that `redact` always applies. Empty values,
 * values shorter than MIN_SECRET_LENGTH and surrounding whitespace are ignored.
 */
export function registerSecrets(values: Iterable<string | null | undefined>): void {
  let changed = false;
  for (const raw of values) {
    if (typeof raw !== 'string') continue;
    for (const v of new Set([raw, raw.trim()])) {
      if (v.length < MIN_SECRET_LENGTH) continue;
      for (const s of spellings(v)) {
        if (!registry.has(s)) {
          registry.add(s);
          changed = true;
        }
      }
    }
  }
  if (changed) registrySorted = sortedUnique(registry);
}

/** The registered values (every spelling), longest first. */
export function registeredSecrets(): readonly string[] {
  return registrySorted;
}

/** Empties the registry (tests that run several configurations in one process). */
export function clearRegisteredSecrets(): void {
  registry.clear();
  registrySorted = [];
}

/** Replaces every secret in `text` with REDACTED: `secrets`, the registry, and credential shapes. */
export function redact(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let out = text;
  const extra = secrets.filter((s): s is string => typeof s === 'string' && s.length > 0);
  const values = extra.length === 0 ? registrySorted : sortedUnique([...extra.flatMap(spellings), ...registrySorted]);
  for (const s of values) if (out.includes(s)) out = out.split(s).join(REDACTED);
  out = out.replace(ASSIGNMENT, (_m, prefix: string) => `${prefix}${REDACTED}`);
  out = out.replace(ALPACA_KEY_ID, REDACTED);
  out = out.replace(ALPACA_SECRET, REDACTED);
  return out;
}
