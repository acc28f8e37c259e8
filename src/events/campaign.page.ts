import {
  errorSummary,
  type FieldErrors,
  type Html,
  html,
  type Messages,
  messages,
  type PageOptions,
  page,
  paragraphs,
  textInput,
} from '../signup/index.js';
import { eventPagePath, eventWhen } from './events.page.js';

/** The public page of a campaign (a day of action): no login, works without JavaScript. */
export const campaignPagePath = (id: string) => `/c/${id}`;
/** The small script that draws the search's results on a map (the page is complete without it). */
export const CAMPAIGN_MAP_SCRIPT = '/c/map.js';

/** What the page shows of a campaign: nothing about moderators or trusted hosts. */
export interface PublicCampaign {
  id: string;
  org_name: string;
  title: string;
  description: string | null;
  starts_on: string;
  ends_on: string;
}

/** One event in a list on the page: from the ZIP search (with its distance) or the upcoming list. */
export interface ListedEvent {
  id: string;
  title: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  location_name: string | null;
  locality: string | null;
  latitude: number | null;
  longitude: number | null;
  distance_km?: number;
}

/** The search as the page shows it: nothing asked, an answer, or a refused ZIP code. */
export type CampaignSearch =
  | { kind: 'none' }
  | {
      kind: 'results';
      zip: string;
      radiusKm: number;
      center: { latitude: number; longitude: number };
      events: ListedEvent[];
    }
  | { kind: 'invalid'; zip: string; radiusKm: number };

export const RADIUS_CHOICES_KM = [10, 25, 50, 100, 250] as const;
export const DEFAULT_RADIUS_KM = 50;

/** US time zones offered to hosts (the search is by US ZIP code), then UTC. */
export const HOST_TIME_ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Phoenix',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'America/Puerto_Rico',
  'UTC',
] as const;

function day(date: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${date}T00:00:00Z`),
  );
}

function eventItem(e: ListedEvent, m: Messages): Html {
  const place = [e.location_name, e.locality].filter((p): p is string => !!p).join(', ');
  const coordinates =
    e.latitude !== null && e.longitude !== null
      ? html` data-lat="${e.latitude}" data-lon="${e.longitude}"`
      : html``;
  return html`<li${coordinates}><a href="${eventPagePath(e.id)}?lang=${m.locale}">${e.title}</a><br>
${eventWhen(e, m.locale)}${place ? html`<br>${place}` : ''}${
  e.distance_km !== undefined
    ? html`<br><span class="note">${m.t('campaign.away', { km: new Intl.NumberFormat(m.locale).format(e.distance_km) })}</span>`
    : ''
}</li>`;
}

function searchSection(c: PublicCampaign, search: CampaignSearch, m: Messages): Html {
  const zip = search.kind === 'none' ? '' : search.zip;
  const radius = search.kind === 'none' ? DEFAULT_RADIUS_KM : search.radiusKm;
  const invalid = search.kind === 'invalid';
  const form = html`<form method="get" action="${campaignPagePath(c.id)}" role="search">
<input type="hidden" name="lang" value="${m.locale}">
<label for="s-zip">${m.t('campaign.zip')}</label>${
    invalid
      ? html`<span class="error" id="s-zip-error" role="alert">${m.t('campaign.unknownZip')}</span>`
      : ''
  }
<input type="text" id="s-zip" name="zip" value="${zip}" inputmode="numeric" autocomplete="postal-code" maxlength="10" required${
    invalid ? html` aria-invalid="true" aria-describedby="s-zip-error"` : ''
  }>
<label for="s-radius">${m.t('campaign.radius')}</label>
<select id="s-radius" name="radius_km">${RADIUS_CHOICES_KM.map(
    (km) =>
      html`<option value="${km}"${km === radius ? html` selected` : ''}>${m.t('campaign.radiusOption', {
        km,
        mi: Math.round(km * 0.621371),
      })}</option>`,
  )}</select>
<button type="submit">${m.t('campaign.search')}</button>
</form>`;
  let results = html``;
  if (search.kind === 'results') {
    const vars = { km: search.radiusKm, zip: search.zip };
    results =
      search.events.length === 0
        ? html`<h3 id="results">${m.t('campaign.noResults', vars)}</h3>`
        : html`<h3 id="results">${m.tn('campaign.results', search.events.length, vars)}</h3>
<div id="map" data-label="${m.t('campaign.map')}"></div>
<ol class="events" data-center-lat="${search.center.latitude}" data-center-lon="${search.center.longitude}" data-radius-km="${search.radiusKm}">${search.events.map(
            (e) => eventItem(e, m),
          )}</ol>`;
  }
  return html`<section aria-labelledby="find"><h2 id="find">${m.t('campaign.find')}</h2>${form}${results}</section>`;
}

function upcomingSection(events: ListedEvent[], m: Messages): Html {
  return html`<section aria-labelledby="upcoming"><h2 id="upcoming">${m.t('campaign.upcoming')}</h2>${
    events.length === 0
      ? html`<p>${m.t('campaign.noEvents')}</p>`
      : html`<ol class="events">${events.map((e) => eventItem(e, m))}</ol>`
  }</section>`;
}

/** The posted field each of the service's fields comes from (errors link to it). */
const POSTED_FIELD: Record<string, string> = {
  'host.given_name': 'host_given_name',
  'host.family_name': 'host_family_name',
  'host.email': 'host_email',
  host: 'host_email',
  title: 'title',
  description: 'description',
  starts_at: 'date',
  ends_at: 'end_time',
  timezone: 'timezone',
  location_name: 'location_name',
  address_lines: 'street',
  locality: 'locality',
  postal_code: 'postal_code',
};
/** The posted field a proposal's problem is about, or null when the form shows no such field. */
export const proposalPosted = (field: string): string | null =>
  POSTED_FIELD[field] ?? POSTED_FIELD[field.split('.')[0] ?? ''] ?? null;

function proposalSection(
  c: PublicCampaign,
  values: Record<string, string | string[]>,
  errors: FieldErrors,
  m: Messages,
): Html {
  const input = (
    name: string,
    label: string,
    o: { type?: 'text' | 'email' | 'tel'; required?: boolean; autocomplete?: string } = {},
  ) => textInput({ name, label, ...o }, values, errors, m);
  const value = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : '');
  const err = (name: string) => errors.get(name);
  const described = (name: string, id: string) =>
    err(name) ? html` aria-invalid="true" aria-describedby="${id}-error"` : html``;
  const errorText = (name: string, id: string) =>
    err(name) ? html`<span class="error" id="${id}-error">${err(name) ?? ''}</span>` : html``;
  const zone = value('timezone') || HOST_TIME_ZONES[0];
  return html`<section aria-labelledby="propose"><h2 id="propose">${m.t('campaign.propose')}</h2>
<p>${m.t('campaign.proposeIntro')}</p>
${errorSummary(errors, (f) => `f-${f}`, m)}
<form method="post" action="${campaignPagePath(c.id)}" accept-charset="utf-8">
<input type="hidden" name="lang" value="${m.locale}">
<fieldset><legend>${m.t('campaign.aboutYou')}</legend>
${input('host_given_name', m.t('signup.givenName'), { required: true, autocomplete: 'given-name' })}
${input('host_family_name', m.t('signup.familyName'), { autocomplete: 'family-name' })}
${input('host_email', m.t('signup.email'), { type: 'email', required: true, autocomplete: 'email' })}
<label><input type="checkbox" name="consent_email" value="yes"${values.consent_email ? html` checked` : ''}> ${m.t('signup.consentEmail')}</label>
</fieldset>
<fieldset><legend>${m.t('campaign.aboutEvent')}</legend>
${input('title', m.t('campaign.eventTitle'), { required: true })}
<label for="f-description">${m.t('campaign.description')}</label>
<textarea id="f-description" name="description" rows="4">${value('description')}</textarea>
<label for="f-date">${m.t('campaign.date')} ${m.t('page.required')}</label>${errorText('date', 'f-date')}
<input type="date" id="f-date" name="date" min="${c.starts_on}" max="${c.ends_on}" value="${value('date') || c.starts_on}" required${described('date', 'f-date')}>
<label for="f-start_time">${m.t('campaign.startTime')} ${m.t('page.required')}</label>
<input type="time" id="f-start_time" name="start_time" value="${value('start_time') || '18:00'}" required>
<label for="f-end_time">${m.t('campaign.endTime')} ${m.t('page.required')}</label>${errorText('end_time', 'f-end_time')}
<input type="time" id="f-end_time" name="end_time" value="${value('end_time') || '20:00'}" required${described('end_time', 'f-end_time')}>
<label for="f-timezone">${m.t('campaign.timezone')}</label>
<select id="f-timezone" name="timezone">${HOST_TIME_ZONES.map(
    (z) => html`<option value="${z}"${z === zone ? html` selected` : ''}>${z.replaceAll('_', ' ')}</option>`,
  )}</select>
${input('location_name', m.t('campaign.locationName'))}
${input('street', m.t('campaign.street'), { autocomplete: 'street-address' })}
${input('locality', m.t('campaign.locality'), { autocomplete: 'address-level2' })}
${input('postal_code', m.t('campaign.eventZip'), { autocomplete: 'postal-code' })}
</fieldset>
<div class="trap" aria-hidden="true"><label for="f-website">${m.t('signup.trap')}</label>
<input type="text" id="f-website" name="website" tabindex="-1" autocomplete="off" value=""></div>
<button type="submit">${m.t('campaign.submit')}</button>
</form></section>`;
}

/**
 * The campaign: its dates and words, the ICS feed, the ZIP search (a GET form: the results are
 * listed by the server, each linking to its event page; a script may add a map), the upcoming
 * events when nothing was searched, and the host form while the campaign runs.
 */
export function campaignPage(
  c: PublicCampaign,
  o: {
    search: CampaignSearch;
    upcoming: ListedEvent[];
    open: boolean;
    values?: Record<string, string | string[]>;
    errors?: FieldErrors;
  },
  options: PageOptions = {},
): string {
  const m = options.m ?? messages('en');
  const body = html`<h1>${c.title}</h1>
<p>${m.t('campaign.dates', { start: day(c.starts_on, m.locale), end: day(c.ends_on, m.locale) })} · ${c.org_name}</p>
${paragraphs(c.description)}
<p><a href="/api/v1/public/campaigns/${c.id}/events.ics">${m.t('campaign.calendar')}</a></p>
${searchSection(c, o.search, m)}
${o.search.kind === 'results' ? '' : upcomingSection(o.upcoming, m)}
${o.open ? proposalSection(c, o.values ?? {}, o.errors ?? new Map(), m) : html`<p>${m.t('campaign.over')}</p>`}`;
  return page(c.title, body, {
    ...options,
    scripts: o.search.kind === 'results' && o.search.events.length > 0 ? [CAMPAIGN_MAP_SCRIPT] : [],
  });
}
