/**
 * @module The order `npm test` starts its files in: longest first, from test/support/durations.json
 * (written by scripts/testDurations.mjs from a run's JSON report), so the two workers of a 2-core
 * machine finish together instead of one running a long file alone at the end of a project. vitest's own order
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
    // Project by project, as vitest does: a worker of one pool (threads, forks) imports the code
    // once and runs that project's files; interleaving projects would start workers again and again.
    const project = (f: TestSpecification) => f.project.name;
    return Promise.resolve([...files].sort((a, b) => (project(a) === project(b) ? seconds(b) - seconds(a) : project(a) < project(b) ? -1 : 1)));
  }
}
