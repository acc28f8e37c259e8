/** The exports domain's public face: people as CSV, streamed. */

export {
  DEFAULT_EXPORT_COLUMNS,
  EXPORT_COLUMNS,
  type ExportPeopleOptions,
  type ExportSummary,
  exportPeopleCsv,
  resolveExportColumns,
} from './export-people.js';
export type { ExportFilters } from './exports.queries.js';
export { exportRoutes } from './exports.routes.js';
