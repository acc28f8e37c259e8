import {
  errorSummary,
  type FieldErrors,
  html,
  messages,
  type PageOptions,
  page,
  paragraphs,
  signupFields,
  thanksPage,
} from '../signup/index.js';
import type { PublicEvent } from './feeds.js';

/** The public page of an event (no login, no JavaScript). */
export const eventPagePath = (id: string) => `/e/${id}`;

/** When an event is held, in the reader's language and the event's own time zone (named). */
export function eventWhen(e: Pick<PublicEvent, 'starts_at' | 'ends_at' | 'timezone'>, locale = 'en'): string {
  const format = new Intl.DateTimeFormat(locale, {
    dateStyle: 'full',
    timeStyle: 'short',
    timeZone: e.timezone,
  });
  // The zone's name, since the reader may be elsewhere (dateStyle excludes timeZoneName).
  return `${format.formatRange(e.starts_at, e.ends_at)} (${e.timezone.replaceAll('_', ' ')})`;
}

function where(e: PublicEvent): string | null {
  const parts = [e.location_name, ...e.address_lines, e.locality, e.region, e.postal_code].filter(
    (p): p is string => !!p,
  );
  return parts.length > 0 ? parts.join(', ') : null;
}

/**
 * The public page of a published public event: when, where, and the RSVP form (the same signup
 * fields as every public form) posting back to the same address. Past and cancelled events say so.
 */
export function eventPage(
  e: PublicEvent,
  now: Date,
  values: Record<string, string | string[]> = {},
  errors: FieldErrors = new Map(),
  options: PageOptions = {},
): string {
  const m = options.m ?? messages('en');
  const place = where(e);
  const open = e.status === 'published' && e.ends_at > now;
  const body = html`<h1>${e.title}</h1>
<p><strong>${m.t('event.when')}</strong> ${eventWhen(e, m.locale)}</p>
${place ? html`<p><strong>${m.t('event.where')}</strong> ${place}</p>` : ''}
${e.virtual_url ? html`<p><strong>${m.t('event.online')}</strong> <a href="${e.virtual_url}">${e.virtual_url}</a></p>` : ''}
${paragraphs(e.description)}
${
  open
    ? html`${errorSummary(errors, (f) => (f === 'form' ? 'f-given_name' : `f-${f}`), m)}
<form method="post" action="${eventPagePath(e.id)}" accept-charset="utf-8">
${errors.get('form') ? html`<p class="error">${errors.get('form') ?? ''}</p>` : ''}
${signupFields(values, errors, m)}
<button type="submit">${m.t('event.rsvp')}</button>
</form>`
    : html`<p>${e.status === 'cancelled' ? m.t('event.cancelled') : m.t('event.over')}</p>`
}`;
  return page(e.title, body, options);
}

/** The answer to a posted RSVP: going, or on the waitlist. */
export function eventThanks(
  e: PublicEvent,
  status: 'going' | 'waitlisted',
  options: PageOptions = {},
): string {
  const m = options.m ?? messages('en');
  return thanksPage(
    status === 'going'
      ? m.t('event.thanksGoing', { title: e.title })
      : m.t('event.thanksWaitlisted', { title: e.title }),
    options,
  );
}
