/**
 * @module The dashboard's guards: every route needs the token (a cookie set by /login, or an
 * `Authorization: Bearer` header), and every response carries a strict Content-Security-Policy
 * (scripts and styles only from the app itself) and no-store caching.
 */
import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import { tokenMatches } from './token.js';

export const COOKIE = 'atlas_dashboard';

export const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    if (!c.res.headers.has('Content-Security-Policy')) c.res.headers.set('Content-Security-Policy', CSP);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
    c.res.headers.set('X-Frame-Options', 'DENY');
    c.res.headers.set('Cache-Control', 'no-store');
  };
}

/** /login?token=... sets the cookie and redirects home; anything else without the token is 401. */
export function requireToken(token: string): MiddlewareHandler {
  return async (c, next) => {
    if (c.req.path === '/login') {
      if (!tokenMatches(token, c.req.query('token'))) return c.text('401 Unauthorized: use the login URL that `atlas dashboard` printed.', 401);
      setCookie(c, COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
      return c.redirect('/', 303);
    }
    const header = c.req.header('Authorization');
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : undefined;
    if (!tokenMatches(token, getCookie(c, COOKIE)) && !tokenMatches(token, bearer)) {
      return c.text('401 Unauthorized: open the login URL that `atlas dashboard` printed (it carries the access token).', 401);
    }
    await next();
  };
}

/** A CSP for a stored report: its own inline scripts allowed by hash, nothing from elsewhere. */
export function reportCsp(html: string): string {
  const hashes = [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => `'sha256-${createHash('sha256').update(m[1]).digest('base64')}'`);
  return `default-src 'none'; script-src ${hashes.join(' ') || "'none'"}; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
}
