/** Access control: loading a user's grants, SQL scopes, field projection, management, explain. */
export * from './bindings.service.js';
export { type Explanation, explainAccess, findUserRef } from './explain.js';
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
} from './people-access.js';
export { outermostPaths, type PeopleScope, peopleScope } from './scope.js';
