/** @module Number formatting shared by the pre-flight checks (the gates' money and pct). */
export { money, pct } from '../gates/common.js';

/** Upper-case account status for comparison ('active' and 'ACTIVE' are the same). */
export function normalStatus(status: string | undefined): string {
  return String(status ?? '').trim().toUpperCase();
}
