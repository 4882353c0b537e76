/**
 * @module Fail points for the crash tests. Each write that matters for crash safety (an audit
 * line, a store transaction, an HTTP response read) calls `chaosPoint(kind)`. When the
 * environment names a point (`ATLAS_CHAOS_KILL_AT=<n>`, counting every point of the listed
 * kinds in `ATLAS_CHAOS_KINDS`, default all), the process kills itself with SIGKILL there, which
 * is exactly a power cut or `kill -9` at that instant. Unset (always, outside tests), a point
 * costs one comparison.
 */

export type ChaosKind = 'audit' | 'store' | 'http';

interface ChaosPlan {
  killAt: number;
  kinds: ReadonlySet<ChaosKind>;
  trace: boolean;
}

let plan: ChaosPlan | null | undefined;
let seen = 0;

function readPlan(): ChaosPlan | null {
  const at = process.env.ATLAS_CHAOS_KILL_AT;
  const trace = process.env.ATLAS_CHAOS_TRACE === '1';
  if ((at === undefined || at === '') && !trace) return null;
  const kinds = (process.env.ATLAS_CHAOS_KINDS ?? 'audit,store,http').split(',').map((k) => k.trim()) as ChaosKind[];
  const killAt = at === undefined || at === '' ? Number.POSITIVE_INFINITY : Number(at);
  return { killAt: Number.isFinite(killAt) && killAt >= 1 ? Math.floor(killAt) : Number.POSITIVE_INFINITY, kinds: new Set(kinds), trace };
}

/** A crash-test point; `where` names it in the trace (ATLAS_CHAOS_TRACE=1 prints every point to stderr). */
export function chaosPoint(kind: ChaosKind, where: string): void {
  if (plan === undefined) plan = readPlan();
  if (plan === null || !plan.kinds.has(kind)) return;
  seen++;
  if (plan.trace) process.stderr.write(`chaos-point ${seen} ${kind} ${where}\n`);
  if (seen === plan.killAt) process.kill(process.pid, 'SIGKILL');
}

/** How many points this process has passed (the crash tests size their sweep with it). */
export function chaosPointsSeen(): number {
  return seen;
}
