/**
 * @module Content addresses: a published file (a panel, a sweep spec) is named by the sha256 of its
 * bytes, so a worker that has it cached never fetches it again and a corrupted or substituted
 * download is detected before use.
 */
import { createHash } from 'node:crypto';

export function contentHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export const HASH_PATTERN = /^[0-9a-f]{64}$/;
