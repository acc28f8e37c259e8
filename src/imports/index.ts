/** The imports domain's public face: CSV people imports, resumable, with rejects. */
export { MAPPING_FIELDS } from './columns.js';
export {
  DEFAULT_BATCH_SIZE,
  type ImportPeopleOptions,
  type ImportProgress,
  type ImportSummary,
  runPeopleImport,
} from './import-people.js';
export { importRoutes, registerCsvBodyParser } from './imports.routes.js';
