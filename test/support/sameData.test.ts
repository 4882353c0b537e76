import { describe, expect, it } from 'vitest';
import { expectSameData } from './sameData.js';

describe('expectSameData: toEqual, decided on canonical text first', () => {
  it('passes on equal data, also with keys in another order or an undefined property (as toEqual does)', () => {
    const data = { a: [1, 2.5, NaN, -Infinity], b: new Float64Array([0.1, NaN]), c: new Map([['x', 1]]), d: new Set(['y']), e: new Date(0), f: 'z', g: null };
    expectSameData(data, structuredClone(data));
    expectSameData({ x: 1, y: 2 }, { y: 2, x: 1 });
    expectSameData({ x: 1, y: undefined }, { x: 1 });
  });

  it('fails where toEqual fails, including what plain JSON would hide', () => {
    const cases: [unknown, unknown][] = [
      [[NaN], [null]],
      [[Infinity], [null]],
      [[-0], [0]],
      [new Float64Array([1, 2]), [1, 2]],
      [new Float64Array([1, 2]), new Float32Array([1, 2])],
      [{ when: new Date(0) }, { when: new Date(0).toISOString() }],
      [new Map([['x', 1]]), new Map([['x', 2]])],
      [{ rows: [[1, 'a']] }, { rows: [[1, 'b']] }],
    ];
    const passed = cases.filter(([a, b]) => {
      try {
        expectSameData(a, b);
        return true;
      } catch {
        return false;
      }
    });
    expect(passed).toEqual([]);
  });
});
