/**
 * Secret scrubbing for anything written to disk. Configured secret values are replaced
 * wherever they occur; strings shaped like Alpaca credentials are masked even when nobody
 * configured them (a key id pasted into an error message, an echoed request header).
 */
export const REDACTED = '[REDACTED]';

/** Alpaca key ids: PK (paper), AK (live), CK: two letters then 16+ upper-case letters/digits. */
const ALPACA_KEY_ID = /\b[PAC]K[A-Z0-9]{16,}\b/g;
/** Alpaca secret keys: 40+ letters/digits with at least one of each. */
const ALPACA_SECRET = /\b(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{40,}\b/g;
/** Header / env style assignments: APCA-API-SECRET-KEY: xyz, APCA_API_KEY_ID=xyz, "secret": "xyz". */
const ASSIGNMENT = /((?:APCA[-_]API[-_](?:KEY[-_]ID|SECRET[-_]KEY)|secret(?:[-_]?key)?|api[-_]?key|password|token|authorization)["']?\s*[:=]\s*["']?)(?:Bearer\s+)?[^\s"',;}&]+/gi;

export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  const sorted = [...new Set(secrets.filter((s) => typeof s === 'string' && s.length > 0))].sort((a, b) => b.length - a.length);
  for (const s of sorted) out = out.split(s).join(REDACTED);
  out = out.replace(ASSIGNMENT, (_m, prefix: string) => `${prefix}${REDACTED}`);
  out = out.replace(ALPACA_KEY_ID, REDACTED);
  out = out.replace(ALPACA_SECRET, REDACTED);
  return out;
}
