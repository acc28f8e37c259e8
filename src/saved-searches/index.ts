/** Saved people searches: a name and the people-search filters. */
export { savedSearchRoutes } from './saved-searches.routes.js';
export {
  SavedSearchInput,
  SavedSearchPatch,
  SavedSearchQuery,
  SavedSearchView,
} from './saved-searches.schemas.js';
export {
  createSavedSearch,
  deleteSavedSearch,
  getSavedSearch,
  listSavedSearches,
  updateSavedSearch,
} from './saved-searches.service.js';
