/**
 * @module Parsing price files ahead on worker threads while the importing thread writes to the
 * store. The import stays a synchronous function with its order unchanged (each file is written
 * in its own transaction, in file order, by the one thread that holds the store): the importing
 * thread blocks in Atomics.wait until the file it needs next has been parsed, and takes the
 * reply with receiveMessageOnPort. Only a few files are handed out ahead of the one being
 * written, so memory holds a few files' columns at most; a very large file is parsed in place.
 */
import { statSync } from 'node:fs';
import { MessageChannel, receiveMessageOnPort, Worker, type MessagePort } from 'node:worker_threads';
import { describeError } from '../../core/errors.js';
import { threadImport } from '../../core/threadModule.js';
import { readBarsCsvFile, type BarsCsvColumnsResult } from './barsCsv.js';

export interface ParseRequest {
  id: number;
  path: string;
  label: string;
  today: string;
}

/** The parse of one file: its result, or the message of the error readBarsCsvFile threw. */
export type Parsed = { result: BarsCsvColumnsResult } | { error: string };
export type ParseReply = { id: number } & Parsed;

export interface ParseAheadOptions {
  /** Parse threads (0: parse every file on the calling thread). */
  threads: number;
  /** Files larger than this are parsed on the calling thread (their columns are not held twice). */
  maxThreadBytes?: number;
  /** At most this many bytes of files handed out and not yet taken (bounds the columns held). */
  aheadBytes?: number;
  /** How long to wait for one file before giving up on the threads and parsing in place. */
  timeoutMs?: number;
  /** The threads' module (default ./parseWorker.js); for tests of a thread that cannot start. */
  threadModule?: URL;
}

const DEFAULT_MAX_THREAD_BYTES = 64 << 20;
const DEFAULT_AHEAD_BYTES = 128 << 20;
/** Files handed out ahead per thread: enough that no thread idles while another finishes the file awaited. */
const AHEAD_PER_THREAD = 32;
const DEFAULT_TIMEOUT_MS = 120_000;

function parseHere(path: string, label: string, today: string): Parsed {
  try {
    return { result: readBarsCsvFile(path, label, { today }) };
  } catch (err) {
    return { error: describeError(err) };
  }
}

/** The reply id a thread sends when its module fails to load: the importing thread stops waiting. */
const THREAD_FAILED = -1;

function spawnParseThread(port: MessagePort, signal: Int32Array, module?: URL): Worker {
  const load = module ? `import(${JSON.stringify(module.href)})` : threadImport(import.meta.url, 'parseWorker');
  // A module that cannot load says so at once: the importing thread, blocked waiting for a reply,
  // would otherwise see nothing until its timeout.
  const bootstrap = `const { workerData: d } = require('node:worker_threads');
    ${load}.catch((err) => {
      d.port.postMessage({ id: ${THREAD_FAILED}, error: String(err && err.message || err) });
      Atomics.add(d.signal, 0, 1);
      Atomics.notify(d.signal, 0);
    });`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { port, signal }, transferList: [port] });
  worker.unref();
  return worker;
}

interface Thread {
  worker: Worker;
  port: MessagePort;
  outstanding: number;
}

/**
 * Parses files[i] for get(i), called with i = 0, 1, 2, ... in order: files i+1 .. i+ahead are
 * meanwhile parsed on the threads. Results equal readBarsCsvFile's (errors as their message).
 */
export class ParseAhead {
  /** How many files came from the threads and how many were parsed on the calling thread. */
  readonly counts = { threaded: 0, inPlace: 0 };
  private threads: Thread[] = [];
  private readonly signal = new Int32Array(new SharedArrayBuffer(4));
  private readonly replies = new Map<number, Parsed>();
  /** The size of each file handed out and not yet taken. */
  private readonly sentBytes = new Map<number, number>();
  private inFlightBytes = 0;
  private next = 0;
  private readonly ahead: number;
  private readonly aheadBytes: number;
  private readonly maxThreadBytes: number;
  private readonly timeoutMs: number;

  constructor(private readonly files: readonly { path: string; label: string }[], private readonly today: string, options: ParseAheadOptions) {
    this.maxThreadBytes = options.maxThreadBytes ?? DEFAULT_MAX_THREAD_BYTES;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.aheadBytes = options.aheadBytes ?? DEFAULT_AHEAD_BYTES;
    this.ahead = AHEAD_PER_THREAD * options.threads;
    try {
      for (let t = 0; t < options.threads; t++) {
        const { port1, port2 } = new MessageChannel();
        this.threads.push({ worker: spawnParseThread(port2, this.signal, options.threadModule), port: port1, outstanding: 0 });
      }
    } catch {
      // No threads to be had (a restricted runtime): every file is parsed in place.
      this.close();
    }
  }

  get(i: number): Parsed {
    this.handOut(i);
    const bytes = this.sentBytes.get(i);
    if (bytes !== undefined) {
      this.sentBytes.delete(i);
      const got = this.take(i);
      this.inFlightBytes -= bytes;
      this.handOut(i + 1);
      if (got) {
        this.counts.threaded++;
        return got;
      }
      // A thread that could not start, died (out of memory) or hangs: carry on without the threads.
      this.close();
    }
    const { path, label } = this.files[i];
    this.counts.inPlace++;
    return parseHere(path, label, this.today);
  }

  /** Stops the threads (idempotent); files not yet parsed are then parsed in place. */
  close(): void {
    for (const t of this.threads) {
      t.port.close();
      void t.worker.terminate();
    }
    this.threads = [];
    this.sentBytes.clear();
    this.replies.clear();
  }

  /** Hands out the files after `current` not yet handed out, within the count and byte bounds. */
  private handOut(current: number): void {
    if (this.threads.length === 0) return;
    this.next = Math.max(this.next, current);
    const last = Math.min(this.files.length - 1, current + this.ahead);
    for (; this.next <= last; this.next++) {
      const i = this.next;
      const size = fileBytes(this.files[i].path);
      if (size > this.maxThreadBytes) continue;
      // Over the byte bound, wait for replies to be taken (but always keep one file in flight).
      if (this.inFlightBytes > 0 && this.inFlightBytes + size > this.aheadBytes) return;
      const thread = this.threads.reduce((a, b) => (b.outstanding < a.outstanding ? b : a));
      const req: ParseRequest = { id: i, path: this.files[i].path, label: this.files[i].label, today: this.today };
      thread.port.postMessage(req);
      thread.outstanding++;
      this.sentBytes.set(i, size);
      this.inFlightBytes += size;
    }
  }

  /** Blocks until file `id`'s reply is in (undefined after the timeout). */
  private take(id: number): Parsed | undefined {
    const deadline = performance.now() + this.timeoutMs;
    for (;;) {
      const have = this.replies.get(id);
      if (have) {
        this.replies.delete(id);
        return have;
      }
      // Read the counter before draining: a reply posted after the drain changes it, so the wait returns at once.
      const seen = Atomics.load(this.signal, 0);
      let any = false;
      for (const t of this.threads) {
        for (let m = receiveMessageOnPort(t.port); m; m = receiveMessageOnPort(t.port)) {
          const reply = m.message as ParseReply;
          if (reply.id === THREAD_FAILED) return undefined;
          const { id: rid, ...parsed } = reply;
          t.outstanding--;
          this.replies.set(rid, parsed as Parsed);
          any = true;
        }
      }
      if (any) continue;
      const left = deadline - performance.now();
      if (left <= 0) return undefined;
      Atomics.wait(this.signal, 0, seen, left);
    }
  }
}

function fileBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
