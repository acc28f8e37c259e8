/** Merging two records of one person, and undoing it. */
export { listMerges, mergePeople, previewMerge, undoMerge } from './merge.js';
export { mergeRoutes } from './merge.routes.js';
