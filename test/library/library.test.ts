import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeDemoStore } from '../backtest/demoStore.js';
import { ensureFreshDist } from '../support/freshDist.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');

/** The first ```ts block of docs/library.md: the program the docs show is the program tested. */
function docProgram(): string {
  const md = readFileSync(join(ROOT, 'docs', 'library.md'), 'utf8');
  const m = /```ts\n([\s\S]*?)```/.exec(md);
  if (!m) throw new Error('docs/library.md has no ```ts block');
  return m[1];
}

/**
 * `import ... from 'atlas-trading'` as a user's project does it: the package is built
 * (declarations included), the program from docs/library.md is compiled with tsc against the
 * package's `exports` / `types`, then run with Node on a small simulated store.
 */
describe('atlas-trading as a typed library', () => {
  let dir = '';
  let tsc: SpawnSyncReturns<string>;
  const errorsIn = (file: string) => (tsc.stdout + tsc.stderr).split('\n').filter((l) => l.startsWith(`${file}(`));
  beforeAll(() => {
    // The package as built from the current sources (npm test's globalSetup has built it once; a
    // rebuild here, while other files run the binary, would rewrite dist/ under them).
    ensureFreshDist();
    dir = mkdtempSync(join(tmpdir(), 'atlas-lib-'));
    mkdirSync(join(dir, 'node_modules'));
    // The package resolves through its own package.json (exports, types), as from a registry install.
    symlinkSync(ROOT, join(dir, 'node_modules', 'atlas-trading'), 'dir');
    symlinkSync(join(ROOT, 'node_modules', '@types'), join(dir, 'node_modules', '@types'), 'dir');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'uses-atlas', private: true, type: 'module' }));
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: { target: 'ES2022', lib: ['ES2023'], module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, types: ['node'], skipLibCheck: true, outDir: 'out' },
      files: ['program.ts', 'mistyped.ts'],
    }));
    writeFileSync(join(dir, 'program.ts'), docProgram());
    // The same program with wrong option types: the declarations must catch it. One tsc run checks
    // both files (a compiler start and the standard library's types cost most of a run).
    writeFileSync(join(dir, 'mistyped.ts'), docProgram().replace("topN: 10, rebalance: 'semiannual'", "topN: '10', rebalance: 'weekly'"));
    tsc = spawnSync(process.execPath, [TSC, '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8' });
    writeDemoStore(join(dir, 'store'), { from: '2003-01-02', to: '2009-12-31' });
  }, 300_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the docs program compiles against the built package and runs', () => {
    expect(errorsIn('program.ts')).toEqual([]);
    expect(tsc.stdout.split('\n').filter((l) => l && !l.startsWith('mistyped.ts(') && !l.startsWith(' '))).toEqual([]);

    const run = spawnSync(process.execPath, [join(dir, 'out', 'program.js'), join(dir, 'store')], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', TZ: 'UTC', HOME: dir } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^SIMULATED data/);
    expect(run.stdout).toMatch(/^baseline: CAGR -?\d+\.\d\d%, Sharpe -?\d+\.\d\d, max drawdown -\d+\.\d\d%, \d+ rebalances$/m);
    expect(run.stdout).toMatch(/^regime-rebalance: CAGR -?\d+\.\d\d%/m);
    expect(run.stdout).toMatch(/^SPY buy & hold: CAGR/m);
    expect(run.stdout).toMatch(/DRY RUN|dry run/i);
  });

  it('a type error in a user program is caught by the declarations', () => {
    expect(tsc.status).not.toBe(0);
    expect(errorsIn('mistyped.ts').join('\n')).toMatch(/mistyped\.ts\(\d+,\d+\): error TS2322/);
  });
});
