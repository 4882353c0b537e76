/**
 * @module Entry point of the local fake Alpaca (the code lives in ./fakeAlpaca/): `startFakeAlpaca`
 * and its types.
 */
export { startFakeAlpaca, fakeAlpaca } from './fakeAlpaca/server.js';
export { alpacaSpelling } from './fakeAlpaca/format.js';
export type * from './fakeAlpaca/types.js';
