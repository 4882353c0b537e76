/**
 * @module globalSetup of `npm test`: runs once, before any test file. It makes sure the tests that
 * spawn the real binary (bin/atlas.js -> dist/) never run a stale dist/ (freshDist.ts: rebuilt
 * here, once, when it was compiled from other sources), and builds the cached demo store
 * (demoFixture.ts) once, so that test files starting together do not each build it.
 */
import { demoFixture } from './demoFixture.js';
import { ensureFreshDist } from './freshDist.js';

export default async function setup(): Promise<void> {
  ensureFreshDist();
  await demoFixture();
}
