import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { EXECUTION_LOG_COLUMNS, ExecutionLog, REDACTED, redact, type ExecutionEventInput } from '../../src/execution/audit/index.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'atlas-redact-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function allText(dir: string): string {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.csv'))
    .map((f) => readFileSync(join(dir, f), 'utf8'))
    .join('\n');
}

const KEY_ID = 'PKTESTKEYID1234567890';
const SECRET = 'sEcReT0123456789abcdefghijABCDEFGHIJ9876';

describe('redact', () => {
  it('removes configured secrets, longest first', () => {
    expect(redact('key=abc123 and abc123456', ['abc123', 'abc123456'])).toBe(`key=${REDACTED} and ${REDACTED}`);
    expect(redact('nothing here', [''])).toBe('nothing here');
  });

  it('masks Alpaca-looking key ids, secrets and header/env assignments', () => {
    expect(redact(`APCA key ${KEY_ID} failed`)).toBe(`APCA key ${REDACTED} failed`);
    expect(redact(`AKLIVEKEYABCDEFGHIJ12 in use`)).toBe(`${REDACTED} in use`);
    expect(redact(`secret ${SECRET}.`)).toBe(`secret ${REDACTED}.`);
    expect(redact('APCA-API-SECRET-KEY: short-one')).toBe(`APCA-API-SECRET-KEY: ${REDACTED}`);
    expect(redact('APCA_API_KEY_ID=xyz')).toBe(`APCA_API_KEY_ID=${REDACTED}`);
    expect(redact('{"secret_key":"abc","x":1}')).toBe(`{"secret_key":"${REDACTED}","x":1}`);
    expect(redact('Authorization: Bearer tok123')).toBe(`Authorization: ${REDACTED}`);
  });

  it('leaves ordinary trading text alone', () => {
    for (const s of [
      'AAPL buy 10 @ 187.25',
      'BRK.B',
      '2026-03-09T09:30:00.000-04:00',
      '904bb5a5-7a0b-4b4e-8f3a-1f1c8f1c9f11',
      'atlas-20260309-AAPL-buy-1',
      'gate 3: AAPL resulting $15,000.00 = 15.00% of equity',
      'PKG', // a ticker that starts with PK
    ]) {
      expect(redact(s)).toBe(s);
    }
  });
});

describe('ExecutionLog never writes a secret', () => {
  it('scrubs configured and Alpaca-shaped secrets from every column', () => {
    const dir = tmp();
    const mine = 'my-very-private-token-42';
    const log = new ExecutionLog({ dir, runId: `run ${mine}`, account: mine, broker: `alpaca ${KEY_ID}`, secrets: [mine, KEY_ID, SECRET], maxBytes: 400 });
    log.runStart({ config: { keyId: KEY_ID, secret: SECRET, other: mine } });
    log.orderRejected({ symbol: mine, clientOrderId: `c-${mine}`, reason: `403 for key ${KEY_ID} / ${SECRET}` });
    log.error(new Error(`request failed: APCA-API-SECRET-KEY: ${SECRET}; token=${mine}`));
    log.append({ event: 'SIGNAL', status: mine, result: SECRET, orderId: KEY_ID, side: mine, orderType: mine, detail: [mine] });
    const text = allText(dir);
    for (const s of [mine, KEY_ID, SECRET]) expect(text).not.toContain(s);
    expect(text).toContain(REDACTED);
  });

  it('property: a configured secret placed in any field never reaches the file', () => {
    const header = EXECUTION_LOG_COLUMNS.join(',');
    const fields = ['account', 'broker', 'symbol', 'side', 'orderType', 'orderId', 'clientOrderId', 'status', 'result', 'reason', 'detail'] as const;
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Za-z0-9_.:/+=-]{12,48}$/),
        fc.constantFrom(...fields),
        fc.string({ maxLength: 10 }),
        fc.string({ maxLength: 10 }),
        (secret, field, before, after) => {
          fc.pre(!header.includes(secret) && !REDACTED.includes(secret));
          const dir = tmp();
          const log = new ExecutionLog({ dir, runId: 'r', secrets: [secret], clock: () => Date.parse('2026-03-09T13:30:00Z') });
          const e: ExecutionEventInput = { event: 'ORDER_REJECTED' };
          (e as unknown as Record<string, string>)[field] = `${before}${secret}${after}`;
          log.append(e);
          log.error(new Error(`${before}${secret}${after}`));
          expect(allText(dir)).not.toContain(secret);
          rmSync(dir, { recursive: true, force: true });
        },
      ),
      { numRuns: 80 },
    );
  });
});
