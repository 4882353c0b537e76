/**
 * @module The order `npm test` starts its files in: longest first, from test/support/durations.json
 * (written by scripts/testDurations.mjs from a run's JSON report), so the workers finish together
 * instead of one running a long file alone at the end. vitest's own order
 * needs its results cache, which a fresh clone (CI) does not have; a file missing from the list
 * counts as one second.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

const DURATIONS = JSON.parse(readFileSync(new URL('./durations.json', import.meta.url), 'utf8')) as Record<string, number>;

export class DurationSequencer extends BaseSequencer {
  override sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const seconds = (f: TestSpecification) => DURATIONS[relative(f.project.config.root, f.moduleId)] ?? 1;
    return Promise.resolve([...files].sort((a, b) => seconds(b) - seconds(a)));
  }
}
