import { type Html, html, messages, type PageOptions, page } from '../signup/index.js';
import type { ConsentState } from './consent.service.js';

/**
 * A consent page's own headers: the address is a capability, so it is never sent on as a
 * referrer to another site, never cached, never indexed, never framed (no clickjacking of the
 * choices). Referrer-Policy `same-origin` (not `no-referrer`) keeps the Origin header of the
 * page's own post, which the server checks.
 */
export const CONSENT_HEADERS = {
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
  'x-robots-tag': 'noindex, nofollow',
} as const;

function radio(name: string, value: string, label: string, checked: boolean): Html {
  return html`<label><input type="radio" name="${name}" value="${value}"${checked ? html` checked` : ''}> ${label}</label>`;
}

/**
 * The person's choices: each of their email addresses (masked) subscribed or not, texts, and
 * do-not-contact. The form posts back to the page's own address with the link's form token.
 */
export function consentPage(
  state: ConsentState,
  o: { action: string; formToken: string; saved?: boolean },
  options: PageOptions = {},
): string {
  const m = options.m ?? messages('en');
  const phones = state.phones.join(', ');
  const body = html`<h1>${m.t('consent.title')}</h1>
${o.saved ? html`<p role="status"><strong>${m.t('consent.saved')}</strong></p>` : ''}
<p>${m.t('consent.intro', { org: state.orgName })}</p>
<form method="post" action="${o.action}" accept-charset="utf-8">
<input type="hidden" name="form_token" value="${o.formToken}">
<input type="hidden" name="lang" value="${m.locale}">
${
  state.emails.length === 0
    ? html`<p>${m.t('consent.noEmail')}</p>`
    : state.emails.map(
        (e) => html`<fieldset><legend>${m.t('consent.emailLegend', { address: e.masked })}</legend>${
          e.status === 'bouncing' ? html`<p class="note">${m.t('consent.emailBouncing')}</p>` : ''
        }
${radio(`email_${e.id}`, 'subscribed', m.t('consent.emailYes'), e.status === 'subscribed')}
${radio(`email_${e.id}`, 'unsubscribed', m.t('consent.emailNo'), e.status === 'unsubscribed')}
</fieldset>`,
      )
}
<fieldset><legend>${phones ? m.t('consent.smsLegend', { numbers: phones }) : m.t('consent.smsLegendNone')}</legend>
${radio('sms', 'opted_in', m.t('consent.smsYes'), state.sms === 'opted_in')}
${radio('sms', 'opted_out', m.t('consent.smsNo'), state.sms === 'opted_out')}
</fieldset>
<fieldset><legend>${m.t('consent.dncLegend')}</legend>
<label><input type="checkbox" name="do_not_contact" value="yes"${state.doNotContact ? html` checked` : ''}> ${m.t('consent.dnc')}</label>
</fieldset>
<button type="submit">${m.t('consent.save')}</button>
</form>`;
  return page(m.t('consent.title'), body, options);
}

/** The page for a token that does not (or no longer) work: the same for every reason. */
export function consentGonePage(options: PageOptions = {}): string {
  const m = options.m ?? messages('en');
  return page(
    m.t('consent.gone.title'),
    html`<h1>${m.t('consent.gone.title')}</h1><p>${m.t('consent.gone.body')}</p>`,
    options,
  );
}

/** The page for a post that did not come from this server's own page (cross-site, no form token). */
export function consentRefusedPage(options: PageOptions = {}): string {
  const m = options.m ?? messages('en');
  return page(
    m.t('consent.title'),
    html`<h1>${m.t('consent.title')}</h1><p>${m.t('consent.refused')}</p>`,
    options,
  );
}
