/** Possible duplicates flagged by the matching engine: review list and dismissal (merging is in merges/). */
export { duplicateRoutes } from './duplicates.routes.js';
export {
  type DuplicatePersonSummary,
  type DuplicateStatus,
  dismissDuplicate,
  listDuplicates,
  type PossibleDuplicateView,
} from './duplicates.service.js';
