import { stringify } from 'csv-stringify/sync';
import type { WalkSheetView } from './turf.schemas.js';

/** Spreadsheet programs run cells that start like a formula; a leading quote keeps them text. */
const cell = (v: string): string => (/^[=+\-@\t\r]/.test(v) ? `'${v}` : v);

/**
 * The printable walk sheet as CSV: one row per door in walking order, the residents' first names,
 * and empty columns for the canvasser's pen (result, note). What is absent from the reader's view
 * (an address they may not read) stays empty here too.
 */
export function walkSheetCsv(sheet: WalkSheetView): string {
  const rows = sheet.doors.map((d) => [
    String(d.position),
    cell(d.address?.lines.join(', ') ?? ''),
    cell(d.address?.locality ?? ''),
    cell(d.address?.postal_code ?? ''),
    cell(
      d.people
        .map((p) => (typeof p.given_name === 'string' ? p.given_name : ''))
        .filter((n) => n !== '')
        .join('; '),
    ),
    d.last_result ?? '',
    '',
  ]);
  return stringify([['stop', 'address', 'locality', 'postal_code', 'residents', 'result', 'note'], ...rows]);
}
