import type Database from 'better-sqlite3';

/**
 * better-sqlite3 12 on Node >= 24 aborts the process ("Assertion failed: (env) != nullptr" in
 * node::RemoveEnvironmentCleanupHook) when the garbage collector destroys a Statement or a
 * Database: Node 24's ObjectWrap removes an environment cleanup hook in its destructor, and a GC
 * finalizer runs without a current Environment. better-sqlite3 13 fixes it by moving to Node-API,
 * but 13 needs Node >= 22 and Atlas supports Node 20.
 *
 * So on Node >= 24 we never let those objects be collected: every prepared statement (including
 * the ones better-sqlite3 makes for pragmas and transactions) and every opened database is kept
 * reachable until the process exits. The cost is memory proportional to the number of statements
 * a process prepares, which is small for CLI runs; hot paths should prepare once and reuse.
 */
const RETAINED: unknown[] = [];
let patched = false;

export const NEEDS_GC_WORKAROUND = Number(process.versions.node.split('.')[0]) >= 24;

export function retainForProcessLifetime(db: Database.Database): void {
  if (!NEEDS_GC_WORKAROUND) return;
  RETAINED.push(db);
  if (patched) return;
  // The native database object sits behind a symbol-keyed property; its prototype's prepare is
  // what every statement (user, pragma, transaction) goes through.
  const record = db as unknown as Record<symbol, unknown>;
  const sym = Object.getOwnPropertySymbols(db).find((s) => typeof (record[s] as { prepare?: unknown } | undefined)?.prepare === 'function');
  if (!sym) return;
  const proto = Object.getPrototypeOf(record[sym]) as { prepare: (...args: unknown[]) => unknown };
  const prepare = proto.prepare;
  proto.prepare = function (this: unknown, ...args: unknown[]) {
    const statement = prepare.apply(this, args);
    RETAINED.push(statement);
    return statement;
  };
  patched = true;
}
