import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { redactingOutput, type Output } from '../../src/cli/output.js';
import { writeUserFile } from '../../src/cli/userFile.js';
import { registerEnvironmentSecrets, secretValuesFromEnv } from '../../src/config/env.js';
import { createLogger } from '../../src/core/logger.js';
import { clearRegisteredSecrets, REDACTED, redact, registeredSecrets, registerSecrets } from '../../src/core/redact.js';
import { errorForStatus } from '../../src/data/providers/http.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();
const SECRET = 'plain-secret-value-0042';
afterEach(() => clearRegisteredSecrets());

describe('the secret registry', () => {
  it('masks registered values everywhere redact runs, with the one mask, in JSON and URL spellings too', () => {
    expect(redact(`x ${SECRET} y`)).toBe(`x ${SECRET} y`);
    registerSecrets([SECRET, 'with"quote/and space', undefined, null, '']);
    expect(redact(`x ${SECRET} y`)).toBe(`x ${REDACTED} y`);
    expect(redact(JSON.stringify({ v: 'with"quote/and space' }))).toBe(`{"v":"${REDACTED}"}`);
    expect(redact(`https://h/?k=${encodeURIComponent('with"quote/and space')}`)).toBe(`https://h/?k=${REDACTED}`);
    clearRegisteredSecrets();
    expect(registeredSecrets()).toEqual([]);
  });

  it('ignores values too short to be secrets, and trims', () => {
    registerSecrets(['abc', `  ${SECRET}  `]);
    expect(redact('abc')).toBe('abc');
    expect(redact(SECRET)).toBe(REDACTED);
  });

  it('leaves lower-case hex digests alone (hash chains are not credentials)', () => {
    const sha = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
    expect(redact(`prev=${sha}`)).toBe(`prev=${sha}`);
  });

  it('reads every key variable from the environment, malformed or not, and *_TOKEN / *_PASSWORD / *_SECRET / *_KEY of Atlas', () => {
    const env = { TIINGO_API_KEY: 'has space in it', ALPACA_MID_SECRET: 'mid-secret-1234', ATLAS_SMTP_PASSWORD: 'smtp-pw-12345', ATLAS_WEBHOOK_TOKEN: 'hook-tok-12345', HOME: '/home/me', OTHER_KEY: 'not-atlas-1234' };
    expect(secretValuesFromEnv(env).sort()).toEqual(['has space in it', 'hook-tok-12345', 'mid-secret-1234', 'smtp-pw-12345']);
    registerEnvironmentSecrets(env);
    expect(redact('hook-tok-12345 /home/me not-atlas-1234')).toBe(`${REDACTED} /home/me not-atlas-1234`);
  });
});

describe('the logger scrubs every serialized line', () => {
  it('masks secrets in messages, structured fields, nested objects and errors', () => {
    registerSecrets([SECRET]);
    const lines: string[] = [];
    const log = createLogger('debug', ['given-secret-777'], (l) => lines.push(l));
    log.debug({ deep: { list: [`a ${SECRET}`], note: 'given-secret-777' } }, 'fields');
    log.info(`message with ${SECRET}`);
    log.error({ err: new Error(`failed with ${SECRET}`) }, 'error object');
    log.warn({ headers: { authorization: 'Token xyz-not-registered' }, cfg: { secretKey: 'also-not-registered' } }, 'by name');
    const text = lines.join('');
    expect(lines).toHaveLength(4);
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain('given-secret-777');
    expect(text).not.toContain('xyz-not-registered');
    expect(text).not.toContain('also-not-registered');
    expect(text.split(REDACTED).length - 1).toBeGreaterThanOrEqual(6);
    expect(JSON.parse(lines[2]).err.message).toBe(`failed with ${REDACTED}`);
  });
});

describe('the CLI output boundary', () => {
  it('redactingOutput scrubs what it passes on', () => {
    registerSecrets([SECRET]);
    const seen: string[] = [];
    const io = redactingOutput({ out: (t) => seen.push(t), note: (t) => seen.push(t), isTTY: false });
    io.out(`out ${SECRET}`);
    io.note(`note ${SECRET}`);
    expect(seen).toEqual([`out ${REDACTED}`, `note ${REDACTED}`]);
    expect(redactingOutput(io)).toBe(io);
  });

  it('main registers the environment and scrubs an error message that carries a key', async () => {
    const saved = process.env.ATLAS_HOME;
    process.env.APCA_API_SECRET_KEY = 'apca-secret-in-a-path-9876';
    try {
      const stderr: string[] = [];
      const io: Output = { out: () => {}, note: (t) => stderr.push(t), isTTY: false };
      const code = await main(['node', 'atlas', 'data', 'import', '/nowhere/apca-secret-in-a-path-9876.csv'], io);
      expect(code).toBe(1);
      expect(stderr.join('\n')).toBe(`atlas: /nowhere/${REDACTED}.csv does not exist; pass CSV files or folders that hold them.`);
    } finally {
      delete process.env.APCA_API_SECRET_KEY;
      if (saved === undefined) delete process.env.ATLAS_HOME;
    }
  });

  it('writeUserFile scrubs and leaves no temporary file', () => {
    registerSecrets([SECRET]);
    const dir = tmp();
    const path = join(dir, 'report.html');
    writeUserFile(path, `<p>${SECRET}</p>`);
    expect(readFileSync(path, 'utf8')).toBe(`<p>${REDACTED}</p>`);
    expect(readdirSync(dir)).toEqual(['report.html']);
    expect(() => writeUserFile(join(dir, 'no-such-dir', 'x.csv'), 'a')).toThrow();
    expect(existsSync(join(dir, 'no-such-dir'))).toBe(false);
  });
});

describe('provider error bodies', () => {
  it('a secret echoed across the 200-character cut leaves no fragment', () => {
    registerSecrets([SECRET]);
    // the secret (23 characters) straddles character 200; its mask (10) does not
    const detail = `${'x'.repeat(182)} ${SECRET} tail`;
    const e = errorForStatus({ provider: 'Alpaca', status: 422, detail });
    expect(e.message).not.toContain(SECRET.slice(0, 6));
    expect(e.message).toContain(REDACTED);
  });
});
