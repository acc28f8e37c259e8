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

const html = (v: string): string =>
  v.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string,
  );

/**
 * The walk sheet as a page to print: one table row per door in walking order, with boxes for the
 * result and room for a note; the header repeats on every printed page and a door never splits.
 */
export function walkSheetHtml(sheet: WalkSheetView): string {
  const rows = sheet.doors
    .map((d) => {
      const names = d.people
        .map((p) => (typeof p.given_name === 'string' ? p.given_name : ''))
        .filter((n) => n !== '')
        .join(', ');
      const address = d.address ? [d.address.lines.join(', '), d.address.postal_code ?? ''].join(' ') : '';
      const boxes = ['Talked', 'Not home', 'Moved', 'Refused']
        .map(
          (label) =>
            `<span class="box">${d.last_result === label.toLowerCase().replace(' ', '_') ? '☒' : '☐'} ${label}</span>`,
        )
        .join(' ');
      return `<tr><td>${d.position}</td><td>${html(address)}</td><td>${html(names)}</td><td>${boxes}</td><td></td></tr>`;
    })
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(sheet.name)}</title>
<style>
body { font: 11pt system-ui, sans-serif; margin: 1cm; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 1px solid #999; padding: 4px 6px; text-align: left; vertical-align: top; }
thead { display: table-header-group; }
tr { page-break-inside: avoid; break-inside: avoid; }
td:last-child { width: 25%; }
.box { white-space: nowrap; }
@page { margin: 1cm; }
</style></head>
<body><h1>${html(sheet.name)}</h1>
<p>${sheet.progress.doors} doors, ${sheet.progress.people} people</p>
<table><thead><tr><th>#</th><th>Address</th><th>Residents</th><th>Result</th><th>Note</th></tr></thead>
<tbody>
${rows}
</tbody></table></body></html>
`;
}
