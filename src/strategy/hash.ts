/**
 * @module The strategy's content hash: SHA-256 of its canonical JSON (defaults applied, keys
 * sorted, `$schema` left out), so comments, spacing and key order never change it and any change
 * of a value always does. Reports, sweeps and the audit trail show the first 12 hex digits.
 */
import { createHash } from 'node:crypto';
import type { Strategy } from './schema.js';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

export function strategyHash(strategy: Strategy): string {
  const { $schema: _ignored, ...content } = strategy;
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
