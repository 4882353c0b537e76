/**
 * @module Incremental RFC 4180 CSV reading: text goes in by chunks of any size, rows come out as
 * soon as they are complete, so a file of any length is read in bounded memory. Gives exactly
 * the rows (and 1-based line numbers) parseCsv gives for the whole text.
 *
 * ASCII lines without quotes (price files) are handed to the sink as byte ranges of the chunk,
 * not as strings: the import hot path reads its numbers straight from the bytes. From the first
 * quote, non-ASCII character or lone CR (an old Mac line end) on, the rest of the input goes
 * through the quote-aware state machine on decoded text, which hands over split fields.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';

export interface CsvSink {
  /** An unquoted, non-blank ASCII line: bytes[start, end) without its line end. */
  line(bytes: Uint8Array, start: number, end: number, line: number): void;
  /**
   * Optional, for speed: complete lines bytes[start, end) (end is just past a line end, or the
   * end of input), the first being line `line`. Must do what `line` would do for each non-blank
   * one, and return the number of the line after them.
   */
  lines?(bytes: Uint8Array, start: number, end: number, line: number): number;
  /** A row from the quote-aware path. */
  row(fields: string[], line: number): void;
  /** Return true to stop reading (the rest of the input is ignored). */
  done?(): boolean;
}

export class CsvStream {
  /** Fast mode: the start of a line cut by the last chunk. Quoted mode: a held-back quote or CR. */
  private carry: Uint8Array = new Uint8Array(0);
  private carryText = '';
  private head: Uint8Array = new Uint8Array(0);
  private started = false;
  private quoted = false;
  private line = 1;
  // quote-aware state
  private field = '';
  private fields: string[] = [];
  private rowLine = 1;
  private inQuotes = false;

  constructor(private readonly sink: CsvSink) {}

  /** Text input (a whole string, or chunks of one). */
  push(chunk: string): void {
    if (!this.started) {
      if (chunk.length === 0) return;
      this.started = true;
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
    }
    if (!this.quoted && !NON_ASCII.test(chunk)) return this.pushBytes(Buffer.from(chunk, 'latin1'));
    this.toQuoted();
    this.pushText(chunk);
  }

  /** Raw input: UTF-8 bytes. */
  pushBytes(bytes: Uint8Array, decoder?: StringDecoder): void {
    if (!this.started) {
      // The UTF-8 BOM may arrive split across reads: hold the first bytes until it is decided.
      const head = this.head.length ? concat(this.head, bytes) : bytes;
      if (head.length < 3 && BOM.subarray(0, head.length).every((b, i) => head[i] === b)) {
        this.head = Uint8Array.prototype.slice.call(head);
        return;
      }
      this.head = new Uint8Array(0);
      this.started = true;
      bytes = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? head.subarray(3) : head;
    }
    if (!this.quoted && isAscii(bytes) && bytes.indexOf(QUOTE) < 0) {
      // Finish the line the last chunk cut in two, then read the chunk in place.
      let begin = 0;
      if (this.carry.length > 0) {
        const nl = bytes.indexOf(LF);
        if (nl < 0) {
          this.carry = concat(this.carry, bytes);
          return;
        }
        const joined = concat(this.carry, bytes.subarray(0, nl + 1));
        if (!hasLoneCr(joined, joined.length)) {
          this.carry = new Uint8Array(0);
          this.fastLines(joined, 0, joined.length);
          begin = nl + 1;
        }
      }
      if (this.carry.length === 0) {
        const cut = bytes.lastIndexOf(LF);
        if (cut < begin || !hasLoneCr(bytes, cut + 1, begin)) {
          if (cut >= begin) this.fastLines(bytes, begin, cut + 1);
          // A copy: the caller reuses its buffer for the next read.
          this.carry = Uint8Array.prototype.slice.call(bytes, cut < begin ? begin : cut + 1);
          return;
        }
        bytes = bytes.subarray(begin);
      }
    }
    const head = this.carry;
    this.carry = new Uint8Array(0);
    this.toQuoted();
    const dec = decoder ?? new StringDecoder('utf8');
    this.pushText(dec.write(Buffer.from(head)) + dec.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) + (decoder ? '' : dec.end()));
  }

  private toQuoted(): void {
    if (this.quoted) return;
    this.quoted = true;
    this.rowLine = this.line;
  }

  private pushText(chunk: string): void {
    const text = this.carryText + chunk;
    // A quote or CR at the very end may pair with the next chunk's first character: kept back.
    this.carryText = text.slice(this.machine(text, false));
  }

  /** After the last pushBytes: what the decoder still holds (an incomplete character). */
  finishBytes(decoder: StringDecoder): void {
    if (!this.started && this.head.length > 0) {
      const head = this.head;
      this.head = new Uint8Array(0);
      this.started = true;
      this.pushBytes(head, decoder);
    }
    const rest = decoder.end();
    if (rest.length > 0) {
      this.toQuoted();
      this.pushText(rest);
    }
  }

  end(): void {
    if (!this.quoted) {
      const rest = this.carry;
      this.carry = new Uint8Array(0);
      if (!rest.includes(CR)) {
        if (rest.length > 0) this.fastLines(rest, 0, rest.length);
        return;
      }
      this.toQuoted();
      this.pushText(Buffer.from(rest).toString('latin1'));
    }
    const text = this.carryText;
    this.carryText = '';
    this.machine(text, true);
    if (this.field !== '' || this.fields.length > 0) {
      this.fields.push(this.field);
      this.emit(this.fields, this.rowLine);
    }
  }

  /** Lines of bytes[start, end) (which ends at a line end or at the end of input). */
  private fastLines(bytes: Uint8Array, start: number, end: number): void {
    if (this.sink.lines) {
      // Always a plain Uint8Array (never a Buffer), so the sink's byte loop sees one map and stays optimised.
      const plain = bytes.constructor === Uint8Array ? bytes : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      if (!this.sink.done?.()) this.line = this.sink.lines(plain, start, end, this.line);
      return;
    }
    let pos = start;
    while (pos < end) {
      if (this.sink.done?.()) return;
      let nl = bytes.indexOf(LF, pos);
      if (nl < 0 || nl >= end) nl = end;
      let stop = nl;
      if (stop > pos && bytes[stop - 1] === CR) stop--;
      if (!isBlank(bytes, pos, stop)) this.sink.line(bytes, pos, stop, this.line);
      this.line++;
      pos = nl + 1;
    }
  }

  private emit(fields: string[], line: number): void {
    if (fields.length === 1 && fields[0].trim() === '') return;
    if (this.sink.done?.()) return;
    this.sink.row(fields, line);
  }

  /**
   * parseCsv's character loop, with its state kept between chunks. Unless `final`, stops before
   * a quote or CR that ends the text (its meaning depends on the next character) and returns
   * where it stopped.
   */
  private machine(text: string, final: boolean): number {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const ch = text[i];
      if (!final && i === n - 1 && (ch === '"' || ch === '\r')) return i;
      if (this.inQuotes) {
        if (ch === '"') {
          if (text[i + 1] === '"') {
            this.field += '"';
            i += 2;
            continue;
          }
          this.inQuotes = false;
          i++;
          continue;
        }
        if (ch === '\n') this.line++;
        this.field += ch;
        i++;
        continue;
      }
      if (ch === '"' && this.field === '') {
        this.inQuotes = true;
        i++;
        continue;
      }
      if (ch === ',') {
        this.fields.push(this.field);
        this.field = '';
        i++;
        continue;
      }
      if (ch === '\r' || ch === '\n') {
        this.fields.push(this.field);
        this.emit(this.fields, this.rowLine);
        this.fields = [];
        this.field = '';
        if (ch === '\r' && text[i + 1] === '\n') i++;
        i++;
        this.line++;
        this.rowLine = this.line;
        continue;
      }
      this.field += ch;
      i++;
    }
    return n;
  }
}

const BOM = Uint8Array.of(0xef, 0xbb, 0xbf);
const LF = 10;
const CR = 13;
const QUOTE = 34;
const NON_ASCII = /[^\x00-\x7f]/;

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

/** A CR not followed by LF in bytes[from, end): an old Mac line end, which only the state machine reads. */
function hasLoneCr(bytes: Uint8Array, end: number, from = 0): boolean {
  let i = bytes.indexOf(CR, from);
  while (i >= 0 && i < end) {
    if (bytes[i + 1] !== LF) return true;
    i = bytes.indexOf(CR, i + 1);
  }
  return false;
}

/** String.prototype.trim's notion of blank, for an ASCII line. */
export function isBlank(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = bytes[i];
    if (c !== 32 && (c < 9 || c > 13)) return false;
  }
  return true;
}

/** Streams a file through a CsvStream in 1 MiB reads; memory does not grow with the file. */
export function streamCsvFile(path: string, sink: CsvSink, chunkBytes = 1 << 20): void {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    const decoder = new StringDecoder('utf8');
    const stream = new CsvStream(sink);
    for (;;) {
      if (sink.done?.()) return;
      const got = readSync(fd, buf, 0, chunkBytes, null);
      if (got === 0) break;
      stream.pushBytes(buf.subarray(0, got), decoder);
    }
    stream.finishBytes(decoder);
    stream.end();
  } finally {
    closeSync(fd);
  }
}
