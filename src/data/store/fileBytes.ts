/** @module Typed arrays to and from files without an intermediate buffer (saved panels and their sidecars). */
import { readSync, writeSync } from 'node:fs';

/** The bytes of a typed array, as a view (no copy). */
export function bytesOf(a: Int32Array | Float64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Fills `into` from `fd` at `position`; false when the file ends first. */
export function readFully(fd: number, into: Uint8Array, position: number): boolean {
  let done = 0;
  while (done < into.byteLength) {
    const got = readSync(fd, into, done, into.byteLength - done, position + done);
    if (got <= 0) return false;
    done += got;
  }
  return true;
}

/** Writes `parts` one after another from the start of `fd`. */
export function writeFully(fd: number, parts: readonly Uint8Array[]): void {
  for (const part of parts) for (let done = 0; done < part.byteLength; ) done += writeSync(fd, part, done, part.byteLength - done);
}
