import fc from 'fast-check';

/**
 * Property tests explore new random cases on every local run. CI pins the seed (FC_SEED in
 * .ci/run) so that a landing is reproducible; a failure prints its seed and path to replay.
 */
const seed = process.env.FC_SEED;
if (seed !== undefined && seed !== '') fc.configureGlobal({ seed: Number(seed) });
