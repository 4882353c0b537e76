/**
 * @module Kill -9 at one chaos point, then the same command again until the run is done, then the
 * checks. One trial per point N of an uninterrupted run (ATLAS_CHAOS_KILL_AT=N); what a trial
 * found is returned, never thrown, so a sweep reports every failing point at once.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { atlas, duplicateOrders, KEY_ID, logVerify, lostAuditLines, NEUTRAL_CAP, SECRET, type Rig } from './harness.js';

export interface KillTrial {
  n: number;
  /** The first process died by the signal (it reached point N). */
  killed: boolean;
  /** Reruns it took to finish. */
  reruns: number;
  duplicates: string[];
  lost: string[];
  verifyOk: boolean;
  overAllocated: boolean;
  exposurePct: number;
  positions: Record<string, number>;
  leaks: string[];
  problems: string[];
}

const DONE = new Set(['completed', 'already_completed']);
const MAX_RERUNS = 4;

/** Files under `dir` holding a canary key. */
export function leaksIn(dir: string): string[] {
  const hits: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (!statSync(p).isFile()) continue;
    const text = readFileSync(p).toString('latin1');
    if (text.includes(SECRET) || text.includes(KEY_ID)) hits.push(name);
  }
  return hits;
}

export async function killTrial(rig: Rig, args: string[], n: number): Promise<KillTrial> {
  const problems: string[] = [];
  const first = await atlas(rig, args, { ATLAS_CHAOS_KILL_AT: String(n) });
  const killed = first.code === null;
  if (!killed) problems.push(`point ${n} was not reached (exit ${first.code}: ${first.stderr.slice(-300)})`);
  const outputs = [first.stdout + first.stderr];
  let reruns = 0;
  let done = false;
  while (!done && reruns < MAX_RERUNS) {
    reruns++;
    const r = await atlas(rig, args);
    outputs.push(r.stdout + r.stderr);
    if (r.code === 0 && r.outcome !== undefined && DONE.has(r.outcome)) done = true;
    else problems.push(`rerun ${reruns}: exit ${r.code}, outcome ${r.outcome ?? '-'}: ${(r.stderr.trim().split('\n').pop() ?? '').slice(0, 300)}`);
  }
  const verify = await logVerify(rig);
  if (verify.code !== 0) problems.push(`log verify: exit ${verify.code}: ${(verify.stdout + verify.stderr).slice(0, 400)}`);
  const duplicates = duplicateOrders(rig.orders());
  const lost = lostAuditLines(rig.dir);
  const exp = rig.exposure();
  const overAllocated = exp.pct > NEUTRAL_CAP + 1e-9;
  const leaks = [...leaksIn(rig.dir), ...outputs.filter((o) => o.includes(SECRET) || o.includes(KEY_ID)).map(() => 'the output')];
  return { n, killed, reruns, duplicates, lost, verifyOk: verify.code === 0, overAllocated, exposurePct: exp.pct, positions: exp.positions, leaks, problems };
}

/** One line per trial that found something (empty = all clean). */
export function failures(trials: readonly KillTrial[], baseline: Record<string, number>): string[] {
  const out: string[] = [];
  for (const t of trials) {
    const bad = [
      ...t.problems,
      ...t.duplicates.map((d) => `duplicate ${d}`),
      ...t.lost.map((l) => `lost line ${l}`),
      ...(t.overAllocated ? [`over-allocated: ${(t.exposurePct * 100).toFixed(2)}%`] : []),
      ...(JSON.stringify(sorted(t.positions)) === JSON.stringify(sorted(baseline)) ? [] : [`positions ${JSON.stringify(sorted(t.positions))} differ from the uninterrupted run's ${JSON.stringify(sorted(baseline))}`]),
      ...t.leaks.map((l) => `canary key in ${l}`),
    ];
    if (bad.length > 0) out.push(`N=${t.n}: ${bad.join('; ')}`);
  }
  return out;
}

function sorted(r: Record<string, number>): [string, number][] {
  return Object.entries(r).sort(([a], [b]) => a.localeCompare(b));
}
