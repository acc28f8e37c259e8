/**
 * English, the reference catalog: every other language must have exactly these keys (the type
 * checker refuses a missing or extra one). `{name}` is replaced by a value; keys ending in `_one`
 * and `_other` are plural forms chosen by Intl.PluralRules.
 */
export const en = {
  'app.name': 'Rhizome',
  'app.skip': 'Skip to content',
  'app.loading': 'Loading…',
  'app.language': 'Language',
  'app.nav': 'Main',
  'app.error': 'Something went wrong: {detail}',
  'app.offline': 'Rhizome cannot be reached. Check your connection and try again.',

  'nav.people': 'People',
  'nav.signOut': 'Sign out',
  'nav.signedInAs': 'Signed in as {email}',

  'signIn.title': 'Sign in',
  'signIn.org': 'Organization',
  'signIn.orgHint': 'The short name your organization uses in Rhizome, like eastside',
  'signIn.email': 'Email',
  'signIn.password': 'Password',
  'signIn.submit': 'Sign in',
  'signIn.busy': 'Signing in…',
  'signIn.failed': 'That organization, email and password do not match. Check them and try again.',
  'signIn.limited': 'Too many attempts. Wait a minute, then try again.',
  'signIn.expired': 'Your session has ended. Sign in again.',

  'search.title': 'People',
  'search.q': 'Name or email',
  'search.tag': 'Tag',
  'search.list': 'List',
  'search.unit': 'Unit',
  'search.zip': 'ZIP code',
  'search.any': 'Any',
  'search.submit': 'Search',
  'search.clear': 'Clear',
  'search.filters': 'Filters',
  'search.total_one': '{count} person',
  'search.total_other': '{count} people',
  'search.none': 'No one matches. Try fewer filters.',
  'search.results': 'Results',
  'search.page': 'Page {page} of {pages}',
  'search.previous': 'Previous',
  'search.next': 'Next',
  'search.paging': 'Pages',
  'search.invalid': 'Check the highlighted filter: {detail}',

  'person.noName': 'Name not shown',
  'person.notFound': 'This person does not exist, or you do not have access to them.',
  'person.back': 'Back to people',
  'person.details': 'Details',
  'person.pronouns': 'Pronouns',
  'person.language': 'Preferred language',
  'person.birthdate': 'Birth date',
  'person.homeUnit': 'Home unit',
  'person.tags': 'Tags',
  'person.noTags': 'No tags',
  'person.emails': 'Email addresses',
  'person.phones': 'Phone numbers',
  'person.addresses': 'Addresses',
  'person.customFields': 'Other fields',
  'person.none': 'None',
  'person.primary': 'primary',
  'person.masked': 'hidden',
  'person.maskedHelp': 'You can reach this person through Rhizome, but not see this value.',
  'person.source': 'from {source}, {date}',
  'person.source.import': 'an import',
  'person.source.api': 'the API',
  'person.source.user': 'a user',
  'person.source.form': 'a form',
  'person.source.signup': 'a sign-up',
  'person.source.system': 'Rhizome',
  'person.source.merge': 'a merge',
  'person.source.partner': 'a partner',
  'person.flag.doNotContact': 'Do not contact',
  'person.flag.sensitive': 'Sensitive record',
  'person.flag.legalHold': 'Legal hold',
  'person.actions': 'Reach this person',
  'person.message': 'Message',
  'person.call': 'Call',
  'person.actionSoon': 'Sending messages and placing calls through Rhizome is coming soon.',
  'person.timeline': 'Timeline',
  'person.timelineEmpty': 'Nothing recorded yet.',
  'person.more': 'Show more',
  'person.note': 'Note',
  'person.activity.note': 'Note',
  'person.activity.one_on_one': 'One-on-one',
  'person.activity.call': 'Call',
  'person.activity.door_knock': 'Door knock',
  'person.activity.meeting': 'Meeting',
  'person.activity.other': 'Activity',
  'person.outcome': 'Outcome: {outcome}',

  'notFound.title': 'Page not found',
  'notFound.body': 'There is nothing at this address.',

  // catalog: imports

  // catalog: organizing

  // catalog: events

  // catalog: admin

  // catalog: field

  // catalog: public

  // catalog: dayofaction
} as const;

export type MessageKey = keyof typeof en;
export type Catalog = Record<MessageKey, string>;
