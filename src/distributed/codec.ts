/**
 * @module The JSON that crosses the queue (sweep specs, job results): plain JSON would turn NaN and
 * Infinity into null, drop -0 and undefined, and spell a Float64Array as an object of indices. A
 * metric is often NaN (no trades) and an undefined field can override a default (`{...config}`),
 * so a queued run would drift from a local one. This codec keeps all of them exactly; Float64Arrays
 * travel as base64 of their little-endian bytes (bit-exact, NaN payloads included).
 */

const TAG = '$atlas';

type Tagged = { [TAG]: 'NaN' | 'Infinity' | '-Infinity' | '-0' | 'undefined' } | { [TAG]: 'f64'; b64: string };

function tagOf(value: unknown): Tagged | undefined {
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return { [TAG]: 'NaN' };
    if (value === Infinity) return { [TAG]: 'Infinity' };
    if (value === -Infinity) return { [TAG]: '-Infinity' };
    if (Object.is(value, -0)) return { [TAG]: '-0' };
    return undefined;
  }
  if (value === undefined) return { [TAG]: 'undefined' };
  if (value instanceof Float64Array) return { [TAG]: 'f64', b64: Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') };
  return undefined;
}

export function encodeJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => tagOf(v) ?? v);
}

function revive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(revive);
  if (typeof value !== 'object' || value === null) return value;
  const o = value as Record<string, unknown>;
  if (TAG in o) {
    switch (o[TAG]) {
      case 'NaN': return NaN;
      case 'Infinity': return Infinity;
      case '-Infinity': return -Infinity;
      case '-0': return -0;
      case 'undefined': return undefined;
      case 'f64': {
        const bytes = Buffer.from(String(o.b64), 'base64');
        // Copied into a fresh, aligned buffer (a decoded Buffer may sit at any offset of a pool).
        const out = new Float64Array(bytes.byteLength / 8);
        new Uint8Array(out.buffer).set(bytes);
        return out;
      }
      default: throw new Error(`unknown tag ${String(o[TAG])} in queued JSON`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = revive(v);
  return out;
}

export function decodeJson<T = unknown>(text: string): T {
  return revive(JSON.parse(text)) as T;
}
