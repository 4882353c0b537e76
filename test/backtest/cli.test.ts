import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { followUp } from '../../src/cli/commands/demo.js';
import { useTempDirs } from '../support/tmp.js';
import { writeDemoStore } from './demoStore.js';

async function atlas(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io = { out: (t: string) => void (stdout += t + '\n'), note: (t: string) => void (stderr += t + '\n'), isTTY: false };
  const code = await main(['node', 'atlas', ...args], io);
  return { code, stdout, stderr };
}

/** `atlas backtest` through the real command parser, on a window of the simulated demo market. */
describe('atlas backtest: honest outputs', () => {
  const tmp = useTempDirs();
  let dir = '';
  beforeAll(() => {
    // useTempDirs cleans after each test; this store lives for the file.
    dir = mkdtempSync(join(tmpdir(), 'atlas-bt-cli-'));
    writeDemoStore(dir);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says SIMULATED in the terminal, the JSON and the report, and prints how the start was chosen', async () => {
    const out = tmp();
    const report = join(out, 'r.html');
    const t = await atlas(['--data-dir', dir, 'backtest', '--universe', 'technology', '--regime', 'rebalance', '--report', report]);
    expect(t.code).toBe(0);
    expect(t.stdout.split('\n')[0]).toMatch(/^\*\*\* SIMULATED: built from the demo market/);
    expect(t.stdout).toMatch(/Start: (\d{4}-\d\d-\d\d) is the first session on which the regime is known \(from \1\) and 10 universe members have 252 sessions of history \(from \d{4}-\d\d-\d\d\); --from overrides it\./);
    const html = readFileSync(report, 'utf8');
    expect(html).toContain('<title>SIMULATED: Atlas backtest');
    expect(html).toMatch(/<div class="sim">SIMULATED: built from the demo market/);
    expect(html).toContain('regime applied at the previous close');

    const j = await atlas(['--data-dir', dir, 'backtest', '--universe', 'technology', '--regime', 'off', '--json']);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.simulated).toBe(true);
    expect(parsed.simulatedNote).toMatch(/^SIMULATED: /);
    expect(parsed.start.default).toBe(true);
    // The baseline-only run starts where the compare run does: the regime is loaded for the start.
    expect(parsed.start.date).toBe(/Start: (\d{4}-\d\d-\d\d)/.exec(t.stdout)![1]);
    expect(parsed.strategies[0].metrics.perRegime.map((p: { regime: string }) => p.regime)).toEqual(['NONE']);
  }, 120_000);

  it('--from overrides the default start', async () => {
    const j = await atlas(['--data-dir', dir, 'backtest', '--universe', 'technology', '--regime', 'off', '--from', '2004-06-01', '--json']);
    const parsed = JSON.parse(j.stdout);
    expect(parsed.start).toEqual({ date: '2004-06-01', default: false, reason: 'Start: 2004-06-01 (--from 2004-06-01).' });
  }, 120_000);

  it('a point-in-time run counts the members without price data and warns about survivorship', async () => {
    const file = join(tmp(), 'members.csv');
    writeFileSync(file, ['ticker,start_date,end_date', 'AAPL,2000-01-01,', 'MSFT,2000-01-01,', 'GONE1,2001-01-01,2006-05-01', 'GONE2,2002-01-01,2009-01-01', 'LATER,2015-01-01,'].join('\n'));
    const t = await atlas(['--data-dir', dir, 'backtest', '--universe-file', file, '--regime', 'off', '--top-n', '2', '--from', '2005-01-03']);
    expect(t.code).toBe(0);
    expect(t.stdout).toContain('Point-in-time universe: 4 members in the window, 2 of them without price data.');
    expect(t.stderr).toMatch(/warning: 2 of 4 members of .*members\.csv in 2005-01-03 \.\. 2010-12-31 have no price data \(GONE1, GONE2\); they were never eligible, so the result is still survivorship-biased/);
    const j = JSON.parse((await atlas(['--data-dir', dir, 'backtest', '--universe-file', file, '--regime', 'off', '--top-n', '2', '--from', '2005-01-03', '--json'])).stdout);
    expect(j.universe).toMatchObject({ membersInWindow: 4, membersWithoutData: 2, survivorshipWarning: expect.stringMatching(/still survivorship-biased/) });
  }, 120_000);
});

describe('atlas demo follow-up commands', () => {
  it('keep --data-dir when one was given', () => {
    const program = new Command().option('--data-dir <dir>').exitOverride();
    expect(followUp(program, 'positions --account DEMO')).toBe('atlas positions --account DEMO');
    program.parse(['node', 'atlas', '--data-dir', '/tmp/my demo']);
    expect(followUp(program, 'positions --account DEMO')).toBe("atlas --data-dir '/tmp/my demo' positions --account DEMO");
  });
});
