import { describe, expect, it } from 'vitest';
import {
  gateBuyingPower,
  gateMarketHours,
  gatePositionSize,
  gateRegimeCompliance,
  gateStructure,
  gateSymbolValidity,
  gateTotalAllocation,
  validateBatch,
  formatGateResults,
  type GateOrder,
} from '../../src/execution/gates/index.js';
import { asset, buy, ctxOf, positions, sell } from './fixtures.js';

describe('gate 1: structure', () => {
  it('passes a well-formed batch, including a buy and a sell of the same symbol', () => {
    const g = gateStructure([buy('BBB', 10), sell('AAA', 10), buy('AAA', 5, { type: 'limit', limitPrice: 99.5, timeInForce: 'gtc' })], ctxOf());
    expect(g).toMatchObject({ gate: 1, name: 'structure', result: 'PASS' });
    expect(g.perOrder?.map((p) => p.result)).toEqual(['PASS', 'PASS', 'PASS']);
    expect(g.reason).toContain('3 order(s)');
  });

  it('passes an empty batch', () => {
    expect(gateStructure([], ctxOf()).result).toBe('PASS');
  });

  const bad: [string, GateOrder, RegExp][] = [
    ['empty symbol', buy('', 1), /symbol is empty/],
    ['blank symbol', buy('  ', 1), /symbol is empty/],
    ['lower-case symbol', buy('aapl', 1), /not a valid/],
    ['symbol with spaces', buy('AA PL', 1), /not a valid/],
    ['bad side', { ...buy('BBB', 1), side: 'hold' as 'buy' }, /side 'hold'/],
    ['zero qty', buy('BBB', 0), /qty 0 is not a positive/],
    ['negative qty', buy('BBB', -5), /qty -5/],
    ['NaN qty', buy('BBB', Number.NaN), /qty NaN/],
    ['fractional qty without the flag', buy('BBB', 1.5), /not a whole number/],
    ['limit without price', buy('BBB', 1, { type: 'limit' }), /positive limitPrice/],
    ['limit with zero price', buy('BBB', 1, { type: 'limit', limitPrice: 0 }), /positive limitPrice/],
    ['market with a limit price', buy('BBB', 1, { limitPrice: 10 }), /must not carry a limitPrice/],
    ['stop order', { ...buy('BBB', 1), type: 'stop' as 'market' }, /type 'stop'/],
    ['bad time in force', { ...buy('BBB', 1), timeInForce: 'week' as 'day' }, /time in force 'week'/],
    ['bad refPrice', buy('BBB', 1, { refPrice: 0 }), /refPrice 0/],
  ];
  it.each(bad)('fails %s', (_label, order, message) => {
    const g = gateStructure([order], ctxOf());
    expect(g.result).toBe('FAIL');
    expect(g.perOrder?.[0].result).toBe('FAIL');
    expect(g.reason).toMatch(message);
  });

  it('accepts valid ticker shapes', () => {
    for (const s of ['A', 'AAPL', 'BRK.B', 'BF-B', 'GOOGL', 'BTC/USD']) expect(gateStructure([buy(s, 1)], ctxOf()).result).toBe('PASS');
  });

  it('accepts fractional qty only with the flag and a day order', () => {
    expect(gateStructure([buy('BBB', 0.5)], ctxOf({ allowFractional: true })).result).toBe('PASS');
    const gtc = gateStructure([buy('BBB', 0.5, { timeInForce: 'gtc' })], ctxOf({ allowFractional: true }));
    expect(gtc.result).toBe('FAIL');
    expect(gtc.reason).toMatch(/requires time in force 'day'/);
  });

  it('fails a duplicate of an open order for the same symbol and side, not the opposite side', () => {
    const ctx = ctxOf({ openOrders: [{ symbol: 'BBB', side: 'buy' }] });
    const dup = gateStructure([buy('BBB', 1)], ctx);
    expect(dup.result).toBe('FAIL');
    expect(dup.reason).toMatch(/open buy order for BBB already exists/);
    expect(gateStructure([sell('BBB', 1)], ctx).result).toBe('PASS');
  });

  it('fails two batch orders for the same symbol and side, flagging both', () => {
    const g = gateStructure([buy('BBB', 1), buy('CCC', 1), buy('BBB', 2)], ctxOf());
    expect(g.result).toBe('FAIL');
    expect(g.perOrder?.map((p) => p.result)).toEqual(['FAIL', 'PASS', 'FAIL']);
    expect(g.reason).toMatch(/2 buy orders for BBB in one batch/);
    expect(g.reason).toMatch(/^2 of 3 order/);
  });
});

describe('gate 2: buying power', () => {
  // cash $50,000, buying power $200,000 (broker reports 4x intraday margin)
  const marginReported = { cash: 50_000, buyingPower: 200_000 };

  it('cash account: buys exactly equal to cash pass, one more share fails', () => {
    const ok = gateBuyingPower([buy('BBB', 500)], ctxOf(marginReported));
    expect(ok.result).toBe('PASS');
    expect(ok.reason).toContain('buys $50,000.00 <= available $50,000.00');
    expect(ok.reason).toContain('min(cash $50,000.00, buying power $200,000.00)');
    const over = gateBuyingPower([buy('BBB', 501)], ctxOf(marginReported));
    expect(over.result).toBe('FAIL');
    expect(over.reason).toContain('buys $50,100.00 > available $50,000.00');
    expect(over.reason).toContain('short by $100.00');
  });

  it('cash account: buying power below cash is the binding limit', () => {
    expect(gateBuyingPower([buy('BBB', 300)], ctxOf({ cash: 50_000, buyingPower: 30_000 })).result).toBe('PASS');
    expect(gateBuyingPower([buy('BBB', 301)], ctxOf({ cash: 50_000, buyingPower: 30_000 })).result).toBe('FAIL');
  });

  it('margin allowed: buying power as given', () => {
    expect(gateBuyingPower([buy('BBB', 2000)], ctxOf({ ...marginReported, marginAllowed: true })).result).toBe('PASS');
    const over = gateBuyingPower([buy('BBB', 2001)], ctxOf({ ...marginReported, marginAllowed: true }));
    expect(over.result).toBe('FAIL');
    expect(over.reason).toContain('available $200,000.00 (buying power $200,000.00');
  });

  it('credits the proceeds of the sells in the batch', () => {
    const ctx = ctxOf({ cash: 10_000, buyingPower: 10_000 }); // holds 100 AAA @ 100
    const ok = gateBuyingPower([sell('AAA', 100), buy('BBB', 200)], ctx);
    expect(ok.result).toBe('PASS');
    expect(ok.reason).toContain('buys $20,000.00 <= available $20,000.00');
    expect(ok.reason).toContain('sell proceeds $10,000.00');
    expect(gateBuyingPower([sell('AAA', 100), buy('BBB', 201)], ctx).result).toBe('FAIL');
  });

  it('costs a limit buy at its limit price and credits a limit sell at min(ref, limit)', () => {
    const ctx = ctxOf({ cash: 10_000, buyingPower: 10_000 });
    expect(gateBuyingPower([buy('BBB', 100)], ctx).result).toBe('PASS');
    const lim = gateBuyingPower([buy('BBB', 100, { type: 'limit', limitPrice: 100.01 })], ctx);
    expect(lim.result).toBe('FAIL');
    expect(lim.reason).toContain('buys $10,001.00');
    // sell 100 AAA limit 98 (ref 100) credits $9,800: cash 0 + 9,800 covers 98 BBB, not 99
    const noCash = ctxOf({ cash: 0, buyingPower: 0 });
    expect(gateBuyingPower([sell('AAA', 100, { type: 'limit', limitPrice: 98 }), buy('BBB', 98)], noCash).result).toBe('PASS');
    expect(gateBuyingPower([sell('AAA', 100, { type: 'limit', limitPrice: 98 }), buy('BBB', 99)], noCash).result).toBe('FAIL');
    // a limit above the reference price is credited at the reference price
    expect(gateBuyingPower([sell('AAA', 100, { type: 'limit', limitPrice: 150 }), buy('BBB', 101)], noCash).result).toBe('FAIL');
  });

  it('cash account: a sell larger than the holding (a short) fails; with margin it draws on buying power', () => {
    const short = gateBuyingPower([sell('AAA', 101)], ctxOf());
    expect(short.result).toBe('FAIL');
    expect(short.reason).toContain('sell 101 AAA exceeds the 100 held');
    expect(short.perOrder?.[0]).toMatchObject({ symbol: 'AAA', result: 'FAIL' });
    expect(gateBuyingPower([sell('AAA', 101)], ctxOf({ marginAllowed: true })).result).toBe('PASS');
    // margin: shorts 500 BBB = $50,000 + buys 1 CCC = $100 > buying power 50,000
    const m = gateBuyingPower([sell('BBB', 500), buy('CCC', 1)], ctxOf({ marginAllowed: true }));
    expect(m.result).toBe('FAIL');
    expect(m.reason).toContain('shorts $50,000.00');
  });

  it('an empty batch or sells-only batch passes', () => {
    expect(gateBuyingPower([], ctxOf({ cash: 0, buyingPower: 0 })).result).toBe('PASS');
    expect(gateBuyingPower([sell('AAA', 100)], ctxOf({ cash: -5, buyingPower: 0 })).result).toBe('PASS');
  });

  it('fails when funds are unknown', () => {
    expect(gateBuyingPower([buy('BBB', 1)], ctxOf({ buyingPower: Number.NaN })).result).toBe('FAIL');
  });
});

describe('gate 3: position size', () => {
  it('exactly 15% of equity passes; one share more warns, or fails with strict', () => {
    const ok = gatePositionSize([buy('BBB', 150)], ctxOf());
    expect(ok.result).toBe('PASS');
    expect(ok.perOrder?.[0].reason).toContain('BBB resulting $15,000.00 = 15.00% of equity $100,000.00 <= 15.00%');
    const warn = gatePositionSize([buy('BBB', 151)], ctxOf());
    expect(warn.result).toBe('WARN');
    expect(warn.reason).toContain('BBB resulting $15,100.00 = 15.10% of equity $100,000.00 > 15.00% ($15,000.00)');
    const fail = gatePositionSize([buy('BBB', 151)], ctxOf({ strict: true }));
    expect(fail.result).toBe('FAIL');
    expect(fail.reason).toContain('(strict)');
  });

  it('a passing entry written on first read has the same text, key order and JSON as a plain one', () => {
    const ok = gatePositionSize([buy('BBB', 150), buy('CCC', 10)], ctxOf());
    const p = ok.perOrder![0];
    expect(Object.keys(p)).toEqual(['symbol', 'result', 'reason']);
    expect(JSON.parse(JSON.stringify(ok.perOrder))).toEqual([
      { symbol: 'BBB', result: 'PASS', reason: 'BBB resulting $15,000.00 = 15.00% of equity $100,000.00 <= 15.00% ($15,000.00)' },
      { symbol: 'CCC', result: 'PASS', reason: 'CCC resulting $1,000.00 = 1.00% of equity $100,000.00 <= 15.00% ($15,000.00)' },
    ]);
    expect({ ...p }).toEqual({ symbol: 'BBB', result: 'PASS', reason: p.reason });
  });

  it('validateBatch sizes each batch on the positions of its own call (states shared only within one call)', () => {
    const orders = [buy('AAA', 40)];
    const held = new Map([['AAA', { qty: 100, price: 100 }]]);
    const ctx = ctxOf({ positions: held });
    expect(validateBatch(orders, ctx).gates[2].result).toBe('PASS'); // 140 AAA = 14%
    held.set('AAA', { qty: 120, price: 100 });
    const again = validateBatch(orders, ctx);
    expect(again.gates[2].result).toBe('WARN'); // 160 AAA = 16%
    expect(again.resulting.positions.get('AAA')!.qty).toBe(160);
  });

  it('adds the existing holding: 100 AAA + 50 = 15% passes, + 51 warns', () => {
    expect(gatePositionSize([buy('AAA', 50)], ctxOf()).result).toBe('PASS');
    expect(gatePositionSize([buy('AAA', 51)], ctxOf()).result).toBe('WARN');
  });

  it('values the resulting position at the order refPrice', () => {
    // 100 AAA marked at $100 in positions, order ref $140: (100 + 7) * 140 = $14,980 <= $15,000
    expect(gatePositionSize([buy('AAA', 7, { refPrice: 140 })], ctxOf()).result).toBe('PASS');
    // (100 + 8) * 140 = $15,120
    expect(gatePositionSize([buy('AAA', 8, { refPrice: 140 })], ctxOf()).result).toBe('WARN');
  });

  it('a position above the cap that the batch shrinks only warns, even with strict', () => {
    const ctx = ctxOf({ strict: true, positions: positions({ AAA: [200, 100] }) });
    const g = gatePositionSize([sell('AAA', 20)], ctx);
    expect(g.result).toBe('WARN');
    expect(g.reason).toContain('reduces it from 20.00%');
    expect(gatePositionSize([sell('AAA', 50)], ctx).result).toBe('PASS');
  });

  it('honours a custom limit and ignores untraded positions', () => {
    const ctx = ctxOf({ limits: { maxPositionPct: 0.1 }, positions: positions({ ZZZ: [900, 100] }) });
    expect(gatePositionSize([buy('BBB', 100)], ctx).result).toBe('PASS');
    expect(gatePositionSize([buy('BBB', 101)], ctx).result).toBe('WARN');
  });

  it('fails when equity is not positive', () => {
    expect(gatePositionSize([buy('BBB', 1)], ctxOf({ equity: 0 })).result).toBe('FAIL');
  });
});

describe('gate 4: total allocation', () => {
  it('exactly 100% gross passes, a share more fails', () => {
    // 100 AAA ($10,000) + 900 BBB ($90,000) = $100,000 = 100%
    const ok = gateTotalAllocation([buy('BBB', 900)], ctxOf());
    expect(ok.result).toBe('PASS');
    expect(ok.reason).toBe('resulting gross exposure $100,000.00 = 100.00% of equity $100,000.00 <= 100.00% ($100,000.00)');
    const over = gateTotalAllocation([buy('BBB', 901)], ctxOf());
    expect(over.result).toBe('FAIL');
    expect(over.reason).toContain('$100,100.00 = 100.10%');
    expect(over.reason).toContain('by $100.00');
  });

  it('counts shorts as gross exposure', () => {
    const ctx = ctxOf({ positions: positions({ AAA: [100, 100], BBB: [-300, 100] }) });
    // 10,000 + 30,000 + 60,000 = 100,000
    expect(gateTotalAllocation([buy('CCC', 600)], ctx).result).toBe('PASS');
    expect(gateTotalAllocation([buy('CCC', 601)], ctx).result).toBe('FAIL');
  });

  it('an over-exposed book that the batch reduces warns; adding to it fails', () => {
    const ctx = ctxOf({ positions: positions({ AAA: [1200, 100] }) }); // 120%
    const w = gateTotalAllocation([sell('AAA', 100)], ctx);
    expect(w.result).toBe('WARN');
    expect(w.reason).toContain('110.00%');
    expect(w.reason).toContain('reduces it from 120.00%');
    expect(gateTotalAllocation([sell('AAA', 200)], ctx).result).toBe('PASS');
    expect(gateTotalAllocation([buy('BBB', 1)], ctx).result).toBe('FAIL');
  });

  it('honours maxGrossPct', () => {
    const ctx = ctxOf({ limits: { maxGrossPct: 0.5 } });
    expect(gateTotalAllocation([buy('BBB', 400)], ctx).result).toBe('PASS');
    expect(gateTotalAllocation([buy('BBB', 401)], ctx).result).toBe('FAIL');
  });
});

describe('gate 5: market hours', () => {
  it('passes when open, fails when closed, warns when closed with force', () => {
    const detail = 'closed: weekend; next open 2026-11-30 09:30 ET';
    expect(gateMarketHours([], ctxOf()).result).toBe('PASS');
    const closed = gateMarketHours([buy('BBB', 1)], ctxOf({ marketOpen: false, marketDetail: detail }));
    expect(closed.result).toBe('FAIL');
    expect(closed.reason).toContain(detail);
    const forced = gateMarketHours([buy('BBB', 1)], ctxOf({ marketOpen: false, marketDetail: detail, force: true }));
    expect(forced.result).toBe('WARN');
    expect(forced.reason).toContain('outside regular session; orders will be queued for the open');
    expect(forced.reason).toContain(detail);
    expect(gateMarketHours([], ctxOf({ force: true })).result).toBe('PASS');
  });
});

describe('gate 6: symbol validity', () => {
  const assets = new Map([
    ['OK', asset(5)],
    ['PENNY', asset(4.99)],
    ['DEAD', asset(50, { active: false })],
    ['HALT', asset(50, { tradable: false })],
    ['NOQ', asset(undefined)],
  ]);
  const ctx = ctxOf({ assets });

  it('passes an active, tradable asset at exactly $5', () => {
    const g = gateSymbolValidity([buy('OK', 1)], ctx);
    expect(g.result).toBe('PASS');
    expect(g.reason).toContain('last price >= $5.00');
  });

  it('fails an unknown, inactive or non-tradable asset, and a buy under $5', () => {
    for (const [sym, msg] of [
      ['NOPE', /unknown asset/],
      ['DEAD', /not active/],
      ['HALT', /not tradable/],
      ['PENNY', /last price \$4\.99 < \$5\.00 \(penny stock\)/],
    ] as const) {
      const g = gateSymbolValidity([buy(sym, 1)], ctx);
      expect(g.result, sym).toBe('FAIL');
      expect(g.reason).toMatch(msg);
    }
    expect(gateSymbolValidity([sell('DEAD', 1)], ctx).result).toBe('FAIL');
  });

  it('lets a sell of a sub-$5 holding through with a warning', () => {
    const g = gateSymbolValidity([sell('PENNY', 1)], ctx);
    expect(g.result).toBe('WARN');
    expect(g.reason).toContain('sell allowed to exit');
  });

  it('falls back to the reference price with a warning when there is no last price', () => {
    expect(gateSymbolValidity([buy('NOQ', 1, { refPrice: 20 })], ctx).result).toBe('WARN');
    expect(gateSymbolValidity([buy('NOQ', 1, { refPrice: 4 })], ctx).result).toBe('FAIL');
  });

  it('reports every order and takes the worst verdict', () => {
    const g = gateSymbolValidity([buy('OK', 1), sell('PENNY', 1), buy('NOPE', 1)], ctx);
    expect(g.perOrder?.map((p) => p.result)).toEqual(['PASS', 'WARN', 'FAIL']);
    expect(g.result).toBe('FAIL');
  });
});

describe('gate 7: regime compliance', () => {
  it('TREND_NEUTRAL: exactly 70% + 0.5% = 70.5% passes, 70.6% fails', () => {
    // 100 AAA ($10,000) + 605 BBB ($60,500) = $70,500
    const ok = gateRegimeCompliance([buy('BBB', 605)], ctxOf({ regime: 'TREND_NEUTRAL' }));
    expect(ok.result).toBe('PASS');
    expect(ok.reason).toBe(
      'regime TREND_NEUTRAL: resulting exposure 70.50% ($70,500.00) <= target 70.00% + tolerance 0.50% = 70.50%',
    );
    const over = gateRegimeCompliance([buy('BBB', 606)], ctxOf({ regime: 'TREND_NEUTRAL' }));
    expect(over.result).toBe('FAIL');
    expect(over.reason).toContain('70.60%');
    expect(over.reason).toContain('raises exposure from 10.00%');
  });

  it('TREND_BULL allows 100.5%; TREND_BEAR 30.5%', () => {
    // 10,000 + 90,500 = 100,500
    expect(gateRegimeCompliance([buy('BBB', 905)], ctxOf()).result).toBe('PASS');
    expect(gateRegimeCompliance([buy('BBB', 906)], ctxOf()).result).toBe('FAIL');
    expect(gateRegimeCompliance([buy('BBB', 205)], ctxOf({ regime: 'TREND_BEAR' })).result).toBe('PASS');
    expect(gateRegimeCompliance([buy('BBB', 206)], ctxOf({ regime: 'TREND_BEAR' })).result).toBe('FAIL');
  });

  it('CRASH: any buy fails; sells pass; selling out entirely is a PASS', () => {
    const c = ctxOf({ regime: 'CRASH' });
    const b = gateRegimeCompliance([sell('AAA', 100), buy('BBB', 1)], c);
    expect(b.result).toBe('FAIL');
    expect(b.reason).toContain('only sells pass');
    expect(b.perOrder).toEqual([{ symbol: 'BBB', result: 'FAIL', reason: 'buy 1 BBB not allowed in CRASH (only sells pass)' }]);
    expect(gateRegimeCompliance([sell('AAA', 100)], c).result).toBe('PASS');
    // 100 -> 50 AAA: 5% > 0.5%, but a sells-only batch is allowed
    const partial = gateRegimeCompliance([sell('AAA', 50)], c);
    expect(partial.result).toBe('WARN');
    expect(partial.reason).toContain('sells reduce exposure from 10.00%');
  });

  it('above target: a batch that lowers exposure warns, one that raises it fails', () => {
    const ctx = ctxOf({ regime: 'TREND_BEAR', positions: positions({ AAA: [500, 100] }) }); // 50%
    expect(gateRegimeCompliance([sell('AAA', 100), buy('BBB', 50)], ctx).result).toBe('WARN'); // 45%
    expect(gateRegimeCompliance([sell('AAA', 100), buy('BBB', 150)], ctx).result).toBe('FAIL'); // 55%
    expect(gateRegimeCompliance([sell('AAA', 195)], ctx).result).toBe('PASS'); // 30.5%
  });

  it('uses a custom allocation matrix and tolerance', () => {
    const ctx = ctxOf({ regime: 'TREND_NEUTRAL', allocation: { TREND_BULL: 1, TREND_NEUTRAL: 0.5, TREND_BEAR: 0.2, CRASH: 0 }, limits: { regimeTolerance: 0 } });
    expect(gateRegimeCompliance([buy('BBB', 400)], ctx).result).toBe('PASS');
    expect(gateRegimeCompliance([buy('BBB', 401)], ctx).result).toBe('FAIL');
  });
});

describe('validateBatch', () => {
  it('runs all seven gates in order and passes a clean batch', () => {
    const v = validateBatch([buy('BBB', 100), sell('AAA', 50)], ctxOf());
    expect(v.gates.map((g) => g.gate)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(v.gates.map((g) => g.name)).toEqual([
      'structure',
      'buying power',
      'position size',
      'total allocation',
      'market hours',
      'symbol validity',
      'regime compliance',
    ]);
    expect(v.gates.every((g) => g.result === 'PASS')).toBe(true);
    expect(v.passed).toBe(true);
    // 50 AAA + 100 BBB at $100 = $15,000
    expect(v.resulting.exposure).toBe(15_000);
    expect(v.resulting.exposurePct).toBeCloseTo(0.15, 12);
    expect(v.resulting.positions.get('AAA')).toEqual({ qty: 50, price: 100, value: 5_000 });
    expect(v.resulting.positions.get('BBB')).toEqual({ qty: 100, price: 100, value: 10_000 });
  });

  it('WARNs still pass; a single FAIL fails the batch', () => {
    const warn = validateBatch([buy('BBB', 151)], ctxOf({ marketOpen: false, force: true }));
    expect(warn.gates[2].result).toBe('WARN');
    expect(warn.gates[4].result).toBe('WARN');
    expect(warn.passed).toBe(true);
    const fail = validateBatch([buy('BBB', 151)], ctxOf({ marketOpen: false }));
    expect(fail.gates[4].result).toBe('FAIL');
    expect(fail.passed).toBe(false);
  });

  it('does not mutate its inputs', () => {
    const ctx = ctxOf();
    const orders = [buy('BBB', 100)];
    const before = JSON.stringify({ orders, pos: [...ctx.positions], assets: [...ctx.assets] });
    validateBatch(orders, ctx);
    expect(JSON.stringify({ orders, pos: [...ctx.positions], assets: [...ctx.assets] })).toBe(before);
  });

  it('formats one line per gate', () => {
    const text = formatGateResults(validateBatch([buy('BBB', 1)], ctxOf()).gates);
    expect(text.split('\n')).toHaveLength(7);
    expect(text).toMatch(/^\[1\] structure\s+PASS/);
  });
});
