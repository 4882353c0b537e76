/**
 * @module The file operations the audit trail and its lock use, as one injectable interface:
 * node:fs by default; tests pass a layer that spies on calls or fails the Nth write with ENOSPC.
 */
import * as nodeFs from 'node:fs';

export type AuditFs = Pick<
  typeof nodeFs,
  | 'openSync'
  | 'writeSync'
  | 'fsyncSync'
  | 'ftruncateSync'
  | 'closeSync'
  | 'fstatSync'
  | 'statSync'
  | 'readSync'
  | 'renameSync'
  | 'linkSync'
  | 'unlinkSync'
  | 'readFileSync'
  | 'readdirSync'
  | 'existsSync'
  | 'mkdirSync'
>;

export const nodeAuditFs: AuditFs = nodeFs;

export function errCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}
