/** Access control: loading a user's grants, SQL scopes, field projection, management, explain. */

export { accessRoutes } from './access.routes.js';
export * from './bindings.service.js';
export { allowedPeople, checkExpectations, type ExpectationResult } from './check-expectations.js';
export {
  type Expectation,
  formatExpectation,
  formatTarget,
  type ParseProblem,
  parseExpectations,
  VERBS,
} from './expectations.js';
export { type Explanation, explainAccess, explainFor, findUserRef } from './explain.js';
export { loadAccess } from './load.js';
export {
  assertFieldsWritable,
  auditedFields,
  customFieldClasses,
  loadFacts,
  maskEmail,
  maskPhone,
  type ProjectedPerson,
  projectPeople,
  projectPerson,
  requirePerson,
  scopedPeopleRowsPage,
  withProjectedPeople,
} from './people-access.js';
export { type AccessPreview, PreviewInput, previewAccess } from './preview.js';
export { outermostPaths, type PeopleScope, peopleScope } from './scope.js';
export { onViewAs, VIEW_AS_HEADER, VIEWING_AS_HEADER, viewAs } from './view-as.js';
