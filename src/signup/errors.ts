import type { Messages } from './i18n.js';
import type { PublicMessageKey } from './messages/en.js';
import type { FieldErrors } from './page.js';

/**
 * What a public page tells a person about a problem with what they typed, in the page's language.
 *
 * Validation (zod, the services, the matching engine) names each problem by field with an English
 * message for developers and the API. The pages never show that text: each problem becomes a
 * sentence of the page's catalog chosen by the field it is about and, where one field has several
 * kinds of problem, by which one it is. A problem with no sentence of its own gets the field's
 * general one, and a field the page does not show (a hidden value, the bot trap, the unit a
 * person is filed in) becomes the form's general message, so English text never reaches a
 * supporter.
 */

/** A service's field (`host.email`, `answers.why`, `starts_at`) without its index parts. */
const bare = (field: string) => field.replace(/\.\d+(?=\.|$)/g, '');

/** The sentence for one problem: by field, then by the service's own message where that matters. */
function keyFor(field: string, message: string): PublicMessageKey | null {
  const f = bare(field);
  if (f.startsWith('answers.')) {
    if (message === 'this question needs an answer') return 'error.answerNeeded';
    if (/^(pick one of the choices|pick among the choices|yes or no)$/.test(message))
      return 'error.answerChoice';
    return 'error.answer';
  }
  switch (f) {
    case 'given_name':
    case 'host.given_name':
      return 'error.givenName';
    case 'family_name':
    case 'host.family_name':
      return 'error.familyName';
    case 'email':
    case 'emails':
    case 'emails.address':
    case 'host.email':
    case 'host':
      return message === 'give an email address or a phone number' ? 'error.emailOrPhone' : 'error.email';
    case 'phone':
    case 'phones':
    case 'phones.number':
    case 'host.phone':
      return 'error.phone';
    case 'postal_code':
    case 'addresses':
    case 'addresses.postal_code':
      return 'error.postalCode';
    case 'comment':
      return 'error.comment';
    case 'shift_id':
      return 'error.shift';
    case 'title':
      return 'error.eventTitle';
    case 'description':
      return 'error.description';
    case 'starts_at':
      return message.startsWith('the campaign runs from') ? 'error.dateInCampaign' : 'error.date';
    case 'ends_at':
      return 'error.endTime';
    case 'timezone':
      return 'error.timezone';
    case 'location_name':
    case 'address_lines':
    case 'locality':
    case 'region':
      return 'error.place';
    default:
      return null;
  }
}

/** Problems about the whole form (no field), by the service's message. */
const FORM_PROBLEMS: Record<string, PublicMessageKey> = {
  'the event is full': 'error.eventFull',
  'this form is closed': 'error.formClosed',
  'the campaign is over': 'campaign.over',
};

/**
 * A failed post's problems as the page shows them: each in `m`'s language, keyed by the posted
 * field it links to (`posted` maps a service's field to the page's own, or null when the page has
 * no such field), one sentence per field, `form` for the form as a whole.
 */
export function publicFieldErrors(
  problems: readonly { field: string; message: string }[],
  message: string,
  m: Messages,
  posted: (field: string) => string | null,
): FieldErrors {
  const errors: FieldErrors = new Map();
  const general = () => {
    if (!errors.has('form')) errors.set('form', m.t('error.form'));
  };
  for (const problem of problems) {
    const key = keyFor(problem.field, problem.message);
    const field = key ? posted(bare(problem.field)) : null;
    if (!key || field === null) general();
    else if (!errors.has(field)) errors.set(field, m.t(key));
  }
  if (errors.size === 0) {
    const key = FORM_PROBLEMS[message];
    errors.set('form', key ? m.t(key) : m.t('error.form'));
  }
  return errors;
}

/** The fields the signup part of every public page shows (src/signup/page.ts `signupFields`). */
const SIGNUP_FIELDS: Record<string, string> = {
  given_name: 'given_name',
  family_name: 'family_name',
  email: 'email',
  emails: 'email',
  'emails.address': 'email',
  phone: 'phone',
  phones: 'phone',
  'phones.number': 'phone',
  postal_code: 'postal_code',
  addresses: 'postal_code',
  'addresses.postal_code': 'postal_code',
};

/** The posted field of a signup page's problem: the signup fields, the answers, the comment. */
export function signupPosted(field: string): string | null {
  if (field.startsWith('answers.')) return field;
  if (field === 'comment') return 'comment';
  return SIGNUP_FIELDS[field] ?? null;
}
