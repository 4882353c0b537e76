/**
 * @module A panel as an Arrow IPC file (apache-arrow), the form a coordinator publishes to its
 * workers: one row per cell in the panel's own symbol-major order (`s * dates + d`), one Float64
 * column per non-empty field, so the columns are the panel's arrays byte for byte (NaN for a missing
 * bar stays NaN: there is no null bitmap). Dates and symbols ride in the schema metadata. An
 * optional Uint8 `member` column carries a point-in-time universe (1 = member on that date), which
 * cannot travel as a function.
 */
import { Field, Float64, makeData, RecordBatch, Schema, Struct, Table, tableFromIPC, tableToIPC, Uint8, type DataType } from 'apache-arrow';
import { AtlasError } from '../core/errors.js';
import { PANEL_FIELDS, type Panel } from '../data/panel.js';

const FORMAT = 'atlas-panel/1';
const META_KEY = 'atlas';

interface PanelMeta {
  format: string;
  dates: string[];
  dayNumbers: number[];
  symbols: string[];
}

export interface PanelFile {
  panel: Panel;
  /** Membership per cell (same layout as the fields), or null when every symbol is always a member. */
  member: Uint8Array | null;
}

export function panelToArrow(panel: Panel, member: Uint8Array | null = null): Uint8Array {
  const cells = panel.dates.length * panel.symbols.length;
  const columns: [string, DataType, Float64Array | Uint8Array][] = [];
  for (const f of PANEL_FIELDS) {
    const a = panel[f];
    if (a.length === 0) continue;
    if (a.length !== cells) throw new AtlasError(`The panel's ${f} column has ${a.length} values for ${cells} cells; it cannot be published.`, { code: 'BAD_PANEL' });
    columns.push([f, new Float64(), a]);
  }
  if (member) {
    if (member.length !== cells) throw new AtlasError(`The membership mask has ${member.length} values for ${cells} cells; it cannot be published.`, { code: 'BAD_PANEL' });
    columns.push(['member', new Uint8(), member]);
  }
  const fields = columns.map(([name, type]) => new Field(name, type, false));
  const meta: PanelMeta = { format: FORMAT, dates: panel.dates, dayNumbers: Array.from(panel.dayNumbers), symbols: panel.symbols };
  const schema = new Schema(fields, new Map([[META_KEY, JSON.stringify(meta)]]));
  const data = makeData({
    type: new Struct(fields),
    length: cells,
    nullCount: 0,
    children: columns.map(([, type, values]) => makeData({ type, length: cells, nullCount: 0, data: values } as never)),
  });
  return tableToIPC(new Table([new RecordBatch(schema, data)]), 'file');
}

export function panelFromArrow(bytes: Uint8Array): PanelFile {
  let table: Table;
  try {
    table = tableFromIPC(bytes);
  } catch (err) {
    throw new AtlasError(`The published panel is not a readable Arrow file (${(err as Error).message}).`, { code: 'BAD_PANEL' });
  }
  const raw = table.schema.metadata.get(META_KEY);
  const meta = raw ? (JSON.parse(raw) as PanelMeta) : null;
  if (!meta || meta.format !== FORMAT) throw new AtlasError(`The published panel is not an ${FORMAT} file; coordinator and worker must run the same Atlas version.`, { code: 'BAD_PANEL' });
  const cells = meta.dates.length * meta.symbols.length;
  if (table.numRows !== cells) throw new AtlasError(`The published panel has ${table.numRows} cells for ${meta.dates.length} dates x ${meta.symbols.length} symbols.`, { code: 'BAD_PANEL' });
  // Copied out of the file's bytes (toArray gives exactly the column's values; a fetched buffer may
  // sit at an offset no Float64Array can view).
  const floats = (name: string): Float64Array => {
    const col = table.getChild(name);
    return col ? Float64Array.from(col.toArray() as Float64Array) : new Float64Array(0);
  };
  const memberCol = table.getChild('member');
  const member = memberCol ? Uint8Array.from(memberCol.toArray() as Uint8Array) : null;
  const panel: Panel = {
    dates: meta.dates, dayNumbers: Int32Array.from(meta.dayNumbers), symbols: meta.symbols,
    open: floats('open'), high: floats('high'), low: floats('low'), close: floats('close'), adjClose: floats('adjClose'), volume: floats('volume'),
  };
  return { panel, member };
}
