/**
 * @module Runs docker-compose.yml end to end and checks its result: Redis, two `atlas worker`
 * containers and the coordinator run a queued sweep of a small grid on the demo market, and the
 * CSV it writes must equal, byte for byte, the CSV of the same sweep run locally. Needs Docker and
 * Compose (v2 `docker compose` or v1 `docker-compose`); not part of `npm test` (CI has no Docker).
 *
 *   node scripts/composeCheck.mjs            # builds atlas:local from ./Dockerfile first
 *   ATLAS_DOCKER_BUILD_NETWORK=host node scripts/composeCheck.mjs   # build with the host's network
 *
 * docs/distributed.md ("Checked with Docker") says where it was last run and how.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const atlas = (args, env = {}) => execFileSync(process.execPath, [join(root, 'bin/atlas.js'), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] }).toString();
const compose = spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 ? ['docker', 'compose'] : ['docker-compose'];
const run = (cmd, args, env = {}) => {
  const r = spawnSync(cmd, args, { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with ${r.status ?? r.signal}`);
};

const data = mkdtempSync(join(tmpdir(), 'atlas-compose-'));
const project = `atlascheck${process.pid}`;
try {
  atlas(['--data-dir', data, 'data', 'demo', '--json']);
  writeFileSync(join(data, 'grid.json'), JSON.stringify({ topN: [5, 10], minDistance: [0.85, 0.9, 0.95], rebalance: ['monthly', 'quarterly'], regimeMode: ['off', 'daily'] }));
  atlas(['sweep', '--grid', join(data, 'grid.json'), '--csv', join(data, 'local.csv')], { ATLAS_HOME: data });
  // The containers run as the image's `node` user: the throwaway store must be writable to it.
  const open = (p) => {
    chmodSync(p, statSync(p).isDirectory() ? 0o777 : 0o666);
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) open(join(p, n));
  };
  open(data);
  const network = process.env.ATLAS_DOCKER_BUILD_NETWORK;
  run('docker', ['build', ...(network ? ['--network', network] : []), '-t', 'atlas:local', '.']);
  const t0 = Date.now();
  run(compose[0], [...compose.slice(1), '-p', project, 'up', '--no-build', '--scale', 'worker=2', '--abort-on-container-exit', 'coordinator'], { ATLAS_DATA: data });
  const seconds = ((Date.now() - t0) / 1000).toFixed(1);
  const logs = spawnSync(compose[0], [...compose.slice(1), '-p', project, 'logs', '--no-color', 'worker'], { cwd: root, env: { ...process.env, ATLAS_DATA: data } }).stdout.toString();
  const jobs = new Map();
  for (const m of logs.matchAll(/^(\S+)\s*\|\s*job \S+: done$/gm)) jobs.set(m[1], (jobs.get(m[1]) ?? 0) + 1);
  const queued = readFileSync(join(data, 'sweep.csv'), 'utf8');
  const local = readFileSync(join(data, 'local.csv'), 'utf8');
  if (queued !== local) throw new Error('the queued sweep CSV differs from the local sweep CSV');
  const perWorker = [...jobs].map(([w, n]) => `${w} ${n}`).join(', ') || 'none logged';
  console.log(`compose check: Redis, 2 workers and the coordinator ran ${queued.trim().split('\n').length - 1} configurations in ${seconds} s (jobs done: ${perWorker}); the CSV equals the local sweep's byte for byte`);
} finally {
  spawnSync(compose[0], [...compose.slice(1), '-p', project, 'down', '-v'], { cwd: root, stdio: 'ignore', env: { ...process.env, ATLAS_DATA: data } });
  rmSync(data, { recursive: true, force: true });
}
