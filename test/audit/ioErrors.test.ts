import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AtlasError } from '../../src/core/errors.js';
import { describeIoError, isSqliteError } from '../../src/core/ioErrors.js';
import { openDatabase } from '../../src/data/store/database.js';
import { useTempDirs } from '../support/tmp.js';

const tmp = useTempDirs();

function sysErr(code: string, message = `${code}: something`): Error {
  return Object.assign(new Error(message), { code });
}

function sqliteErr(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, name: 'SqliteError' });
}

describe('describeIoError', () => {
  const cases: [string, Error, string, RegExp][] = [
    ['ENOSPC', sysErr('ENOSPC'), 'DISK_FULL', /the disk is full \(ENOSPC\); free some space/],
    ['EDQUOT', sysErr('EDQUOT'), 'DISK_FULL', /the disk is full \(EDQUOT\)/],
    ['SQLITE_FULL', sqliteErr('SQLITE_FULL', 'database or disk is full'), 'DISK_FULL', /the disk is full \(SQLITE_FULL\)/],
    ['EROFS', sysErr('EROFS'), 'READ_ONLY', /read-only file system .*\(EROFS\); remount the disk read-write/],
    ['SQLITE_READONLY', sqliteErr('SQLITE_READONLY', 'attempt to write a readonly database'), 'READ_ONLY', /\(SQLITE_READONLY\)/],
    ['SQLITE_READONLY_DBMOVED', sqliteErr('SQLITE_READONLY_DBMOVED', 'attempt to write a readonly database'), 'READ_ONLY', /read-only/],
    ['EACCES', sysErr('EACCES'), 'PERMISSION_DENIED', /permission denied \(EACCES\); give your user/],
    ['EISDIR', sysErr('EISDIR'), 'IS_A_DIRECTORY', /is a directory where Atlas expects a file \(EISDIR\)/],
    ['SQLITE_NOTADB', sqliteErr('SQLITE_NOTADB', 'file is not a database'), 'STORE_CORRUPT', /is damaged or is not an Atlas store \(SQLITE_NOTADB\); restore it from a backup/],
    ['SQLITE_CORRUPT', sqliteErr('SQLITE_CORRUPT', 'database disk image is malformed'), 'STORE_CORRUPT', /damaged/],
    ['SQLITE_IOERR_WRITE', sqliteErr('SQLITE_IOERR_WRITE', 'disk I/O error'), 'IO_ERROR', /disk I\/O error \(SQLITE_IOERR_WRITE\); check the disk/],
    ['a bare "disk I/O error"', new Error('disk I/O error'), 'IO_ERROR', /disk I\/O error/],
    ['a bare "file is not a database"', new Error('file is not a database'), 'STORE_CORRUPT', /damaged/],
  ];
  it.each(cases)('%s -> one sentence naming the file, the cause and the fix', (_name, err, code, text) => {
    const e = describeIoError(err, '/data/atlas.sqlite');
    expect(e).toBeInstanceOf(AtlasError);
    expect(e?.code).toBe(code);
    expect(e?.exitCode).toBe(1);
    expect(e?.message).toMatch(text);
    expect(e?.message).toContain('/data/atlas.sqlite');
    expect(e?.message).toMatch(/^[^\n]+\.$/);
    expect(e?.message.split('; ')).toHaveLength(2); // what went wrong; what to do
    expect(e?.cause).toBe(err);
  });

  it('names the path the error carries when no file is given, and leaves other errors alone', () => {
    expect(describeIoError(Object.assign(sysErr('ENOSPC'), { path: '/x/y.csv' }))?.message).toMatch(/^Cannot write \/x\/y\.csv:/);
    expect(describeIoError(sysErr('ENOSPC'))?.message).toMatch(/^Cannot write a file in the data directory:/);
    expect(describeIoError(new Error('boom'), '/f')).toBeUndefined();
    expect(describeIoError(sysErr('ENOENT'), '/f')).toBeUndefined();
    const own = new AtlasError('Already one sentence.', { code: 'X' });
    expect(describeIoError(own, '/f')).toBe(own);
    expect(isSqliteError(sqliteErr('SQLITE_BUSY', 'database is locked'))).toBe(true);
    expect(isSqliteError(sysErr('ENOSPC'))).toBe(false);
  });
});

describe('openDatabase on a damaged or misplaced store', () => {
  it('a text file in place of the store: STORE_CORRUPT naming it', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'atlas.sqlite'), 'not a database '.repeat(100));
    expect(() => openDatabase(dir)).toThrow(expect.objectContaining({ code: 'STORE_CORRUPT', message: expect.stringContaining(join(dir, 'atlas.sqlite')) }));
  });

  it('a read-only store opened for writing fails at the first write with READ_ONLY, not "unexpected"', () => {
    const dir = tmp();
    openDatabase(dir).close();
    const ro = new Database(join(dir, 'atlas.sqlite'), { readonly: true });
    let err: unknown;
    try {
      ro.exec('CREATE TABLE t (x)');
    } catch (e) {
      err = e;
    } finally {
      ro.close();
    }
    expect(describeIoError(err, join(dir, 'atlas.sqlite'))).toMatchObject({ code: 'READ_ONLY' });
  });
});
