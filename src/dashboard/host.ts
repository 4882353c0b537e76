/**
 * @module Where the dashboard may listen: loopback by default; any other address only with an
 * explicit --allow-remote, and then with a warning (the token still guards every route).
 */
import { isIP } from 'node:net';
import { AtlasError } from '../core/errors.js';

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  return h === '::1';
}

/** Refuses a non-loopback host without allowRemote; returns the warning to print when allowed. */
export function checkHost(host: string, allowRemote: boolean): string | null {
  if (isLoopbackHost(host)) return null;
  if (!allowRemote) {
    throw new AtlasError(`--host ${host} would expose the dashboard beyond this machine; add --allow-remote if you mean it (the access token still guards every page), or use 127.0.0.1.`, { code: 'DASHBOARD_REMOTE_REFUSED' });
  }
  return `warning: the dashboard listens on ${host}, reachable from other machines; anyone with the token can read your accounts. Prefer an SSH tunnel to 127.0.0.1.`;
}
