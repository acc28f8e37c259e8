import type { FastifyReply, FastifyRequest } from 'fastify';
import { isLocale, LOCALES, type Locale, languageHref, type Messages, messages } from './i18n.js';

/** Markup already escaped (or written here); everything else interpolated into `html` is escaped. */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text made safe for element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] as string);
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

function render(part: Part): string {
  if (part === null || part === undefined || part === false) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
}

/** A template that escapes every interpolated value unless it is `Html` (lists are joined). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/**
 * The security headers of a public page: no script at all, styles only inline, posts only to this
 * origin; other sites may frame it (the embed snippet is an iframe). The language follows the
 * request's Accept-Language, so caches must keep one copy per language.
 */
export const PAGE_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors *",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  vary: 'accept-language',
} as const;

// Colours meet WCAG 2.1 AA on white (text #111 and links #0b57d0 above 4.5:1, errors #b00020 6.5:1);
// focus is always visible; inputs, selects and buttons are at least 44px tall (touch).
const STYLE = `body{font:1rem/1.5 system-ui,sans-serif;max-width:38rem;margin:0 auto;padding:1rem;color:#111;background:#fff}
a{color:#0b57d0}:focus-visible{outline:3px solid #0b57d0;outline-offset:2px}
label{display:block;font-weight:600;margin-top:1rem}fieldset{border:1px solid #767676;margin-top:1rem}
legend{font-weight:600}fieldset label{font-weight:400;margin-top:.25rem}
input[type=text],input[type=email],input[type=tel],input[type=date],input[type=time],select,textarea{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;min-height:2.75rem}
input[type=radio],input[type=checkbox]{width:1.25rem;height:1.25rem;vertical-align:-.2rem;margin-right:.4rem}
button{margin-top:1.5rem;padding:.6rem 1.2rem;font:inherit;font-weight:600;min-height:2.75rem}
.errors{border:2px solid #b00020;padding:.5rem 1rem}.error{color:#b00020}
.lang{text-align:right;margin:0}.note{color:#444}
.trap{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}`;

/** How a page is dressed: its language (and the switch to the others), its scripts. */
export interface PageOptions {
  m?: Messages;
  /** The request, for the language switch links (its query is kept, `lang` replaced). */
  request?: FastifyRequest | null;
  /** Same-origin scripts the page loads (deferred); pages work without them. */
  scripts?: string[];
}

function languageSwitch(current: Locale, request: FastifyRequest | null, m: Messages): Html {
  const others = (Object.keys(LOCALES) as Locale[]).filter((l) => l !== current);
  return html`<nav class="lang" aria-label="${m.t('page.language')}">${others.map(
    (l) => html`<a href="${languageHref(request, l)}" hreflang="${l}" lang="${l}">${LOCALES[l]}</a>`,
  )}</nav>`;
}

/** A whole page: language, title, viewport, inline styles, the language switch, the body. */
export function page(title: string, body: Html, options: PageOptions = {}): string {
  const m = options.m ?? messages('en');
  return html`<!doctype html>
<html lang="${m.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title><style>${new Html(STYLE)}</style>${(options.scripts ?? []).map(
    (src) => html`<script src="${src}" defer></script>`,
  )}</head>
<body>${languageSwitch(m.locale, options.request ?? null, m)}<main>${body}</main></body></html>`.value;
}

/** Paragraphs of plain text (a blank line separates them). */
export function paragraphs(text: string | null): Html {
  if (!text) return html``;
  return html`${text
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter((p) => p !== '')
    .map((p) => html`<p>${p}</p>`)}`;
}

/** Field name → message, from an AppError's `fields`. */
export type FieldErrors = Map<string, string>;

/** The list of problems at the top of a form, each linked to its field. */
export function errorSummary(
  errors: FieldErrors,
  ids: (field: string) => string,
  m: Messages = messages('en'),
): Html {
  if (errors.size === 0) return html``;
  return html`<div class="errors" role="alert" tabindex="-1"><h2>${m.t('page.checkTheForm')}</h2><ul>${[
    ...errors,
  ].map(([field, message]) => html`<li><a href="#${ids(field)}">${message}</a></li>`)}</ul></div>`;
}

function fieldError(errors: FieldErrors, field: string, id: string): Html {
  const message = errors.get(field);
  return message ? html`<span class="error" id="${id}-error">${message}</span>` : html``;
}

function described(errors: FieldErrors, field: string, id: string): Html {
  return errors.has(field) ? html` aria-invalid="true" aria-describedby="${id}-error"` : html``;
}

/** A labelled single-line input. */
export function textInput(
  o: {
    name: string;
    label: string;
    type?: 'text' | 'email' | 'tel';
    required?: boolean;
    autocomplete?: string;
  },
  values: Record<string, string | string[]>,
  errors: FieldErrors,
  m: Messages = messages('en'),
): Html {
  const id = `f-${o.name}`;
  const value = values[o.name];
  return html`<label for="${id}">${o.label}${o.required ? ` ${m.t('page.required')}` : ''}</label>${fieldError(errors, o.name, id)}
<input type="${o.type ?? 'text'}" id="${id}" name="${o.name}" value="${typeof value === 'string' ? value : ''}"${
    o.required ? html` required` : ''
  }${o.autocomplete ? html` autocomplete="${o.autocomplete}"` : ''}${described(errors, o.name, id)}>`;
}

/**
 * The signup part every public page asks: name, email, phone, postal code, the consent choices
 * (unticked by default: consent is given, not assumed), the referrer carried through, and the
 * honeypot hidden from people and from assistive technology.
 */
export function signupFields(
  values: Record<string, string | string[]>,
  errors: FieldErrors,
  m: Messages = messages('en'),
): Html {
  const checked = (name: string) => (values[name] ? html` checked` : '');
  return html`${textInput({ name: 'given_name', label: m.t('signup.givenName'), required: true, autocomplete: 'given-name' }, values, errors, m)}
${textInput({ name: 'family_name', label: m.t('signup.familyName'), autocomplete: 'family-name' }, values, errors, m)}
${textInput({ name: 'email', label: m.t('signup.email'), type: 'email', autocomplete: 'email' }, values, errors, m)}
${textInput({ name: 'phone', label: m.t('signup.phone'), type: 'tel', autocomplete: 'tel' }, values, errors, m)}
${textInput({ name: 'postal_code', label: m.t('signup.postalCode'), autocomplete: 'postal-code' }, values, errors, m)}
<fieldset><legend>${m.t('signup.keepingInTouch')}</legend>
<label><input type="checkbox" name="consent_email" value="yes"${checked('consent_email')}> ${m.t('signup.consentEmail')}</label>
<label><input type="checkbox" name="consent_sms" value="yes"${checked('consent_sms')}> ${m.t('signup.consentSms')}</label>
</fieldset>
<input type="hidden" name="referrer" value="${typeof values.referrer === 'string' ? values.referrer : ''}">
<input type="hidden" name="lang" value="${m.locale}">
<div class="trap" aria-hidden="true"><label for="f-website">${m.t('signup.trap')}</label>
<input type="text" id="f-website" name="website" tabindex="-1" autocomplete="off" value=""></div>`;
}

/** The signup fields of a posted page as the JSON services take them (checkboxes: present or not). */
export function signupFromPost(body: Record<string, string | string[]>): Record<string, unknown> {
  const one = (name: string): string | undefined => {
    const v = body[name];
    const s = Array.isArray(v) ? v[0] : v;
    return s === undefined || s.trim() === '' ? undefined : s.trim();
  };
  const out: Record<string, unknown> = {
    given_name: one('given_name') ?? '',
    consent: {
      email_updates: one('consent_email') !== undefined,
      sms_updates: one('consent_sms') !== undefined,
    },
  };
  for (const name of ['family_name', 'email', 'phone', 'postal_code', 'referrer', 'website']) {
    const v = one(name);
    if (v !== undefined) out[name] = v;
  }
  // The language the consent choices were shown in, for the receipt.
  const lang = one('lang');
  if (isLocale(lang)) out.language = lang;
  return out;
}

/** The errors of an AppError as a map by field (the top-level message when it names none). */
export function fieldErrors(
  fields: { field: string; message: string }[] | undefined,
  message: string,
): FieldErrors {
  const errors: FieldErrors = new Map();
  for (const f of fields ?? []) if (!errors.has(f.field)) errors.set(f.field, f.message);
  if (errors.size === 0) errors.set('form', message);
  return errors;
}

/** Sends a page with its security headers (and any the page adds or overrides). */
export function sendPage(
  reply: FastifyReply,
  status: number,
  body: string,
  headers: Record<string, string> = {},
): FastifyReply {
  const locale = /^<!doctype html>\s*<html lang="([a-z]{2})"/.exec(body)?.[1];
  return reply
    .status(status)
    .headers({ ...PAGE_HEADERS, ...(locale ? { 'content-language': locale } : {}), ...headers })
    .send(body);
}

/** The page for an address that names nothing public. */
export function notFoundPage(reply: FastifyReply, options: PageOptions = {}): FastifyReply {
  const m = options.m ?? messages('en');
  return sendPage(
    reply,
    404,
    page(
      m.t('page.notFound.title'),
      html`<h1>${m.t('page.notFound.title')}</h1><p>${m.t('page.notFound.body')}</p>`,
      options,
    ),
  );
}

/** A thank-you page: a heading and one sentence. */
export function thanksPage(sentence: string, options: PageOptions = {}): string {
  const m = options.m ?? messages('en');
  return page(m.t('page.thanks'), html`<h1>${m.t('page.thanks')}</h1><p>${sentence}</p>`, options);
}
