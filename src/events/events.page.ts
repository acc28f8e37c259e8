import {
  errorSummary,
  type FieldErrors,
  html,
  page,
  paragraphs,
  signupFields,
  thanksPage,
} from '../signup/index.js';
import type { PublicEvent } from './feeds.js';

/** The public page of an event (no login, no JavaScript). */
export const eventPagePath = (id: string) => `/e/${id}`;

function when(e: PublicEvent): string {
  const format = new Intl.DateTimeFormat('en', {
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
): string {
  const place = where(e);
  const open = e.status === 'published' && e.ends_at > now;
  const body = html`<h1>${e.title}</h1>
<p><strong>When:</strong> ${when(e)}</p>
${place ? html`<p><strong>Where:</strong> ${place}</p>` : ''}
${e.virtual_url ? html`<p><strong>Online:</strong> <a href="${e.virtual_url}">${e.virtual_url}</a></p>` : ''}
${paragraphs(e.description)}
${
  open
    ? html`${errorSummary(errors, (f) => (f === 'form' ? 'f-given_name' : `f-${f}`))}
<form method="post" action="${eventPagePath(e.id)}" accept-charset="utf-8">
${errors.get('form') ? html`<p class="error">${errors.get('form') ?? ''}</p>` : ''}
${signupFields(values, errors)}
<button type="submit">RSVP</button>
</form>`
    : html`<p>${e.status === 'cancelled' ? 'This event is cancelled.' : 'This event is over.'}</p>`
}`;
  return page(e.title, body);
}

/** The answer to a posted RSVP: going, or on the waitlist. */
export function eventThanks(e: PublicEvent, status: 'going' | 'waitlisted'): string {
  return thanksPage(
    status === 'going'
      ? `You are on the list for “${e.title}”.`
      : `“${e.title}” is full; you are on the waitlist and we will let you know.`,
  );
}
