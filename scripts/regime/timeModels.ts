/**
 * Times each regime model on the full shared history (all refits), as CPU time of this process so
 * a busy machine inflates it less than wall time. Usage: npx tsx scripts/regime/timeModels.ts <data dir>
 * (pin to one core with `taskset -c 0` for the bench condition).
 */
import { computeModelHistory, REGIME_MODEL_NAMES } from '../../src/regime/models/registry.js';
import { loadRealInput } from './realInput.js';

const input = loadRealInput(process.argv[2] ?? process.env.ATLAS_REAL_DATA ?? '../shared/data');
for (const m of REGIME_MODEL_NAMES) {
  computeModelHistory(m, input); // warm-up (JIT)
  const runs: number[] = [];
  for (let k = 0; k < 3; k++) {
    const c0 = process.cpuUsage();
    computeModelHistory(m, input);
    const c = process.cpuUsage(c0);
    runs.push((c.user + c.system) / 1000);
  }
  runs.sort((a, b) => a - b);
  console.log(`${m.padEnd(10)} CPU ms: median ${runs[1].toFixed(0)} (min ${runs[0].toFixed(0)}, max ${runs[2].toFixed(0)})`);
}
