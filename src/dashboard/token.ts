/**
 * @module The dashboard's access token: 32 random bytes, created on first start in the data
 * directory (`dashboard.token`, mode 0600, created exclusively so two starts cannot race) and
 * reused after. Compared in constant time.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AtlasError } from '../core/errors.js';

export const TOKEN_FILE = 'dashboard.token';

export function loadOrCreateToken(dataDir: string): { token: string; created: boolean; path: string } {
  const path = join(dataDir, TOKEN_FILE);
  try {
    const token = randomBytes(32).toString('base64url');
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
    return { token, created: true, path };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  // Someone widened its permissions: narrow them again rather than serve with a readable token.
  if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
  const token = readFileSync(path, 'utf8').trim();
  if (token.length < 32) throw new AtlasError(`The dashboard token file ${path} is damaged; delete it and start again to create a new token.`, { code: 'BAD_TOKEN_FILE' });
  return { token, created: false, path };
}

export function tokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
