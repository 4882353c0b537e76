/**
 * @module `--out FILE`: the one export flag. The format comes from the extension (.csv, .json,
 * .html); a command lists the formats it can write, and `--out` may be given once per format.
 * The older per-command spellings (--report, --csv, --trades) stay for one version as deprecated
 * aliases that print a one-line note.
 */
import { extname } from 'node:path';
import { Option } from 'commander';
import { AtlasError } from '../core/errors.js';
import type { Output } from './output.js';
import { deprecatedAlias } from './strategyOptions.js';
import { writeUserFile } from './userFile.js';

export type ExportFormat = 'csv' | 'json' | 'html';

export interface OutAlias {
  /** The old flag, e.g. "--report". */
  flag: string;
  /** Its commander attribute name, e.g. "report". */
  key: string;
  format: ExportFormat;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The `--out <file>` option (repeatable), saying what each format holds. */
export function outOption(holds: Partial<Record<ExportFormat, string>>): Option {
  const what = Object.entries(holds).map(([f, d]) => `.${f}: ${d}`).join('; ');
  return new Option('--out <file>', `write to a file, the format from its extension (${what}); repeat for several`).argParser(collect);
}

/** The file of each format asked for with `--out` or a deprecated alias (which prints its note). */
export function exportTargets(opts: Record<string, unknown>, formats: readonly ExportFormat[], io: Output, aliases: readonly OutAlias[] = []): Partial<Record<ExportFormat, string>> {
  const asked: { file: string; format: string; via: string }[] = [];
  for (const file of (opts.out as string[] | undefined) ?? []) asked.push({ file, format: extname(file).slice(1).toLowerCase(), via: '--out' });
  for (const a of aliases) {
    const file = opts[a.key];
    if (typeof file !== 'string') continue;
    deprecatedAlias((t) => io.note(t), a.flag, `--out ${file.toLowerCase().endsWith(`.${a.format}`) ? file : `FILE.${a.format}`} (the format comes from the extension)`);
    asked.push({ file, format: a.format, via: a.flag });
  }
  const out: Partial<Record<ExportFormat, string>> = {};
  for (const x of asked) {
    if (!(formats as readonly string[]).includes(x.format)) {
      throw new AtlasError(`--out ${x.file}: the format comes from the extension and this command writes ${formats.map((f) => `.${f}`).join(', ')}; rename the file.`, { code: 'BAD_FLAG' });
    }
    const f = x.format as ExportFormat;
    if (out[f] !== undefined && out[f] !== x.file) throw new AtlasError(`Two .${f} outputs (${out[f]} and ${x.file}): give one file per format.`, { code: 'BAD_FLAG' });
    out[f] = x.file;
  }
  return out;
}

/** Writes a JSON document an `--out FILE.json` asked for, and says so. */
export function writeJsonExport(io: Output, file: string, doc: string, what: string): void {
  writeUserFile(file, `${doc}\n`);
  io.note(`Wrote ${what} to ${file}.`);
}
