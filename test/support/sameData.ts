/**
 * @module expectSameData: `expect(actual).toEqual(expected)` for large plain data (regime
 * histories, bar lists, parsed rows), decided first on a canonical JSON text. vitest's generic
 * matcher walks every element through key lists and type checks (about 90 ms for one 800 kB regime
 * history; the suite spent seconds in it); two strings compare in microseconds. The canonical form
 * keeps what toEqual distinguishes and JSON would lose (NaN, Infinity, -0, undefined, typed array
 * kinds, Dates, Maps, Sets); when the texts differ (a real difference, or only key order, which
 * toEqual ignores) toEqual itself decides and prints its usual diff.
 */
import { expect } from 'vitest';

function tagged(this: Record<string, unknown>, key: string, value: unknown): unknown {
  const raw = this[key];
  if (raw instanceof Date) return { '#date': raw.getTime() };
  if (typeof value === 'number') return Number.isFinite(value) && !Object.is(value, -0) ? value : { '#num': Object.is(value, -0) ? '-0' : String(value) };
  if (value === undefined) return { '#undefined': true };
  if (typeof value === 'bigint') return { '#bigint': String(value) };
  if (ArrayBuffer.isView(value)) return { '#view': value.constructor.name, values: Array.from(value as unknown as ArrayLike<number>) };
  if (value instanceof Map) return { '#map': [...value] };
  if (value instanceof Set) return { '#set': [...value] };
  return value;
}

/** The canonical text of plain data (see the module comment). */
export function canonicalData(value: unknown): string {
  return JSON.stringify({ v: value }, tagged);
}

export function expectSameData(actual: unknown, expected: unknown, message?: string): void {
  const a = canonicalData(actual);
  const e = canonicalData(expected);
  if (a === e) {
    expect(a, message).toBe(e);
    return;
  }
  expect(actual, message).toEqual(expected);
}
