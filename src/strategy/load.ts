/**
 * @module Reading and writing strategy files. The file is JSON with comments (JSONC, as editors
 * treat it); a syntax error or a field that does not validate gives one sentence naming the file,
 * the line or the field, and what is expected. Writes go to a temp file that is then renamed.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import type { z } from 'zod';
import { AtlasError } from '../core/errors.js';
import { strategyHash } from './hash.js';
import { strategySchema, type Strategy } from './schema.js';

export const DEFAULT_STRATEGY_FILE = 'atlas.strategy.json';

export interface LoadedStrategy {
  strategy: Strategy;
  /** Full SHA-256 hex of the canonical content. */
  hash: string;
  /** The file it came from, or null for the built-in defaults. */
  path: string | null;
}

function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'the top level';
  if (issue.code === 'unrecognized_keys') return `${where} has unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  return `${where}: ${issue.message}`;
}

/** Validates already-parsed content (defaults applied) or throws one sentence naming the field. */
export function validateStrategy(content: unknown, source: string): Strategy {
  const res = strategySchema.safeParse(content ?? {});
  if (res.success) return res.data;
  const first = res.error.issues[0];
  throw new AtlasError(`${source} is not a valid strategy: ${first ? describeIssue(first) : 'invalid'}; fix the field (docs/strategy.md lists every field) and run again.`, {
    code: 'BAD_STRATEGY',
  });
}

export function parseStrategyText(text: string, source: string): LoadedStrategy {
  const errors: ParseError[] = [];
  const content: unknown = parseJsonc(text, errors, { allowTrailingComma: true, disallowComments: false });
  if (errors.length > 0) {
    const e = errors[0];
    throw new AtlasError(`${source} line ${lineOf(text, e.offset)} is not valid JSON (${printParseErrorCode(e.error)}); fix the syntax and run again.`, { code: 'BAD_STRATEGY' });
  }
  if (content !== undefined && (content === null || typeof content !== 'object' || Array.isArray(content))) {
    throw new AtlasError(`${source} must hold one JSON object ({ ... }); see docs/strategy.md.`, { code: 'BAD_STRATEGY' });
  }
  const strategy = validateStrategy(content, source);
  return { strategy, hash: strategyHash(strategy), path: null };
}

export function loadStrategyFile(path: string): LoadedStrategy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new AtlasError(`Strategy file ${path} does not exist; create one with \`atlas init\` or pass --strategy with the right path.`, { code: 'STRATEGY_NOT_FOUND' });
    if (code === 'EISDIR') throw new AtlasError(`${path} is a folder, not a strategy file; pass the .json file with --strategy.`, { code: 'BAD_STRATEGY' });
    throw new AtlasError(`Cannot read strategy file ${path} (${code ?? String(err)}); check its permissions.`, { code: 'BAD_STRATEGY', cause: err });
  }
  return { ...parseStrategyText(text, path), path };
}

/** The built-in defaults, for commands run without a strategy file. */
export function defaultStrategy(): LoadedStrategy {
  const strategy = validateStrategy({}, 'the default strategy');
  return { strategy, hash: strategyHash(strategy), path: null };
}

/** Writes `text` to `path` atomically (temp file in the same folder, fsync, rename). */
export function writeFileAtomic(path: string, text: string): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, text, { flush: true });
  renameSync(tmp, path);
}

/** A strategy as a file: a header comment, then the canonical content with every default spelled out. */
export function renderStrategyFile(strategy: Strategy, header: readonly string[] = []): string {
  const lines = header.map((h) => `// ${h}`);
  const { $schema, ...rest } = strategy;
  const body = JSON.stringify($schema === undefined ? rest : { $schema, ...rest }, null, 2);
  return `${lines.join('\n')}${lines.length ? '\n' : ''}${body}\n`;
}
