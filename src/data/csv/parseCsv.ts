/**
 * RFC 4180 CSV parsing: quoted fields, doubled quotes, CRLF or LF, a leading BOM.
 * Returns rows of fields with the 1-based line number each row starts on, so errors can point
 * at the line a user will see in an editor.
 */
export interface CsvRow {
  line: number;
  fields: string[];
}

export function parseCsv(text: string): CsvRow[] {
  // Price files have no quotes (and no lone CRs): splitting lines and commas is several times
  // faster than the character loop, and gives the same rows.
  if (!text.includes('"') && !/\r(?!\n)/.test(text)) return parseUnquoted(text);
  return parseQuoted(text);
}

function parseQuoted(text: string): CsvRow[] {
  const rows: CsvRow[] = [];
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  let field = '';
  let fields: string[] = [];
  let rowLine = 1;
  let inQuotes = false;
  const n = text.length;
  while (i < n) {
    const ch = text[i];
    if (inQuotes) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        i++;
        continue;
      }
      if (ch === '\n') line++;
      field += ch;
      i++;
      continue;
    }
    if (ch === '"' && field === '') {
      inQuotes = true;
      i++;
      continue;
    }
    if (ch === ',') {
      fields.push(field);
      field = '';
      i++;
      continue;
    }
    if (ch === '\r' || ch === '\n') {
      fields.push(field);
      rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      if (ch === '\r' && text[i + 1] === '\n') i++;
      i++;
      line++;
      rowLine = line;
      continue;
    }
    field += ch;
    i++;
  }
  if (field !== '' || fields.length > 0) {
    fields.push(field);
    rows.push({ line: rowLine, fields });
  }
  // A blank line is a row with one empty field: drop it, it carries no data.
  return rows.filter((r) => !(r.fields.length === 1 && r.fields[0].trim() === ''));
}

function parseUnquoted(text: string): CsvRow[] {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = body.split('\n');
  const rows: CsvRow[] = [];
  for (let k = 0; k < lines.length; k++) {
    const raw = lines[k];
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') continue;
    rows.push({ line: k + 1, fields: line.split(',') });
  }
  return rows;
}

/** Quotes a field per RFC 4180 when it holds a comma, quote, CR or LF. */
export function csvField(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: readonly (string | number | boolean | null | undefined)[]): string {
  return values.map(csvField).join(',') + '\r\n';
}
