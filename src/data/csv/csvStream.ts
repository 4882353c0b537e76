/**
 * @module Incremental RFC 4180 CSV reading: text goes in by chunks of any size, rows come out as
 * soon as they are complete, so a file of any length is read in bounded memory. Gives exactly
 * the rows (and 1-based line numbers) parseCsv gives for the whole text.
 *
 * Lines without quotes (price files) are handed to the sink as offsets into the chunk, not as
 * split strings: the import hot path reads its numbers straight from the text. From the first
 * quote on (or a lone CR, an old Mac line end) the rest of the file goes through the quote-aware
 * state machine, which hands over split fields.
 */
import { openSync, readSync, closeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export interface CsvSink {
  /** An unquoted, non-blank line: text.slice(start, end) without its line end. */
  line(text: string, start: number, end: number, line: number): void;
  /** A row from the quote-aware path. */
  row(fields: string[], line: number): void;
  /** Return true to stop reading (the rest of the input is ignored). */
  done?(): boolean;
}

export class CsvStream {
  private carry = '';
  private started = false;
  private quoted = false;
  private line = 1;
  // quote-aware state
  private field = '';
  private fields: string[] = [];
  private rowLine = 1;
  private inQuotes = false;

  constructor(private readonly sink: CsvSink) {}

  push(chunk: string): void {
    let text = this.carry + chunk;
    this.carry = '';
    if (!this.started) {
      if (text.length === 0) return;
      this.started = true;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    if (!this.quoted) {
      const cut = text.lastIndexOf('\n');
      const head = cut < 0 ? '' : text.slice(0, cut + 1);
      if (text.includes('"') || /\r(?!\n)/.test(head)) {
        this.quoted = true;
        this.rowLine = this.line;
      } else {
        if (cut >= 0) this.fastLines(text, 0, cut + 1);
        this.carry = cut < 0 ? text : text.slice(cut + 1);
        return;
      }
    }
    // A quote or CR at the very end may pair with the next chunk's first character.
    const last = text.charCodeAt(text.length - 1);
    if (last === 34 || last === 13) {
      this.carry = text.slice(-1);
      text = text.slice(0, -1);
    }
    this.machine(text);
  }

  end(): void {
    const text = this.carry;
    this.carry = '';
    if (!this.quoted && !text.includes('"') && !text.includes('\r')) {
      if (text.length > 0) this.fastLines(text, 0, text.length);
      return;
    }
    if (!this.quoted) {
      this.quoted = true;
      this.rowLine = this.line;
    }
    this.machine(text);
    if (this.field !== '' || this.fields.length > 0) {
      this.fields.push(this.field);
      this.emit(this.fields, this.rowLine);
    }
  }

  /** Lines of text[start, end) (which ends at a line end or at the end of input). */
  private fastLines(text: string, start: number, end: number): void {
    let pos = start;
    while (pos < end) {
      if (this.sink.done?.()) return;
      let nl = text.indexOf('\n', pos);
      if (nl < 0 || nl >= end) nl = end;
      let stop = nl;
      if (stop > pos && text.charCodeAt(stop - 1) === 13) stop--;
      if (!isBlank(text, pos, stop)) this.sink.line(text, pos, stop, this.line);
      this.line++;
      pos = nl + 1;
    }
  }

  private emit(fields: string[], line: number): void {
    if (fields.length === 1 && fields[0].trim() === '') return;
    if (this.sink.done?.()) return;
    this.sink.row(fields, line);
  }

  /** parseCsv's character loop, with its state kept between chunks. */
  private machine(text: string): void {
    const n = text.length;
    let i = 0;
    while (i < n) {
      const ch = text[i];
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
  }
}

function isBlank(text: string, start: number, end: number): boolean {
  if (start === end) return true;
  const c = text.charCodeAt(start);
  if (c > 32 && c < 127) return false;
  return text.slice(start, end).trim() === '';
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
      stream.push(decoder.write(buf.subarray(0, got)));
    }
    stream.push(decoder.end());
    stream.end();
  } finally {
    closeSync(fd);
  }
}
