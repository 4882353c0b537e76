import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const durations = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>;

function testFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? testFiles(p) : n.endsWith('.test.ts') ? [relative(root, p)] : [];
  });
}

// The sequencer (sequencer.ts) starts files longest first by these keys; a key that names no file
// (a report from another clone written with its own paths) silently turns the order alphabetical.
describe('test/support/durations.json', () => {
  it('names files of this checkout, and covers nearly all of them', () => {
    expect(Object.keys(durations).filter((k) => !existsSync(join(root, k)))).toEqual([]);
    const files = testFiles(join(root, 'test')).filter((f) => !f.startsWith('test/chaos/'));
    const missing = files.filter((f) => !(f in durations));
    expect(missing.length, `no duration for ${missing.join(', ')}; regenerate with scripts/testDurations.mjs`).toBeLessThanOrEqual(Math.ceil(files.length * 0.1));
  });
});
