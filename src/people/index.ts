/** The people domain's public face. */
export { addressKey, normalizeBirthdate, normalizeEmail, normalizePhone } from './normalize.js';
export {
  addContactValue,
  type ContactKind,
  removeContactValue,
  updateContactValue,
} from './people.contacts.js';
export { savedSearchPredicates } from './people.filter.js';
export { PersonViewSchema, peopleRoutes } from './people.routes.js';
export {
  EMAIL_STATUSES,
  PersonInput,
  type PersonInputRaw,
  PHONE_TYPES,
  SOURCE_KINDS,
  type Source,
  type UpsertResult,
} from './people.schemas.js';
export {
  countEveryone,
  countPeople,
  MAX_PER_PAGE,
  type Page,
  PeopleFilter,
  type PeopleFilterInput,
  searchPeople,
  searchPeopleIds,
} from './people.search.js';
export {
  addPersonFacts,
  deletePerson,
  getPerson,
  PersonPatch,
  signUpPerson,
  updatePerson,
} from './people.service.js';
export {
  type AddressView,
  type EmailView,
  loadPeople,
  localNodeId,
  type PersonView,
  type PhoneView,
} from './people.view.js';
export {
  conflictReason,
  lockOrgPeople,
  type UpsertOptions,
  type UpsertOutcome,
  type UpsertRejection,
  upsertPeople,
} from './upsert.js';
