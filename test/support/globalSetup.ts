/**
 * @module globalSetup of `npm test`: runs once, before any test file. It makes sure the tests that
 * spawn the real binary (bin/atlas.js -> dist/) never run a stale dist/ (freshDist.ts: rebuilt
 * here, once, when it was compiled from other sources), and starts building the cached demo store
 * (demoFixture.ts) in the background: files that need it wait for that one build, the others run
 * meanwhile.
 */
import { startDemoFixtureBuild } from './demoFixture.js';
import { ensureFreshDist } from './freshDist.js';

export default function setup(): () => void {
  ensureFreshDist();
  return startDemoFixtureBuild();
}
