import type { FastifyRequest } from 'fastify';
import { en, type PublicCatalog, type PublicMessageKey } from './messages/en.js';
import { es } from './messages/es.js';

/** The languages of the public pages, each named in itself (the switch link shows that name). */
export const LOCALES = { en: 'English', es: 'Español' } as const;
export type Locale = keyof typeof LOCALES;
const CATALOGS: Record<Locale, PublicCatalog> = { en, es };

export const isLocale = (value: unknown): value is Locale => typeof value === 'string' && value in LOCALES;

type Vars = Record<string, string | number>;
/** Keys that have plural forms, without the suffix. */
type PluralKey = PublicMessageKey extends infer K ? (K extends `${infer B}_one` ? B : never) : never;

/** A language's messages, numbers and dates for one page. */
export interface Messages {
  locale: Locale;
  t(key: PublicMessageKey, vars?: Vars): string;
  /** The plural form for `count` (which also fills `{count}`). */
  tn(key: PluralKey, count: number, vars?: Vars): string;
}

const fill = (message: string, vars: Vars = {}): string =>
  message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));

const cache = new Map<Locale, Messages>();

export function messages(locale: Locale = 'en'): Messages {
  const cached = cache.get(locale);
  if (cached) return cached;
  const catalog = CATALOGS[locale];
  const plural = new Intl.PluralRules(locale);
  const number = new Intl.NumberFormat(locale);
  const made: Messages = {
    locale,
    t: (key, vars) => fill(catalog[key], vars),
    tn: (key, count, vars) => {
      const form = plural.select(count) === 'one' ? 'one' : 'other';
      return fill(catalog[`${key}_${form}` as PublicMessageKey], { ...vars, count: number.format(count) });
    },
  };
  cache.set(locale, made);
  return made;
}

/**
 * The best language in an Accept-Language header (RFC 9110: tags with q-values; `es-MX` counts as
 * `es`), or null when it names none we have.
 */
export function fromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, i) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { base: tag.trim().toLowerCase().split('-')[0] ?? '', q: q === undefined ? 1 : Number(q), i };
    })
    .filter((r) => r.q > 0 && !Number.isNaN(r.q))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const r of ranked) if (isLocale(r.base)) return r.base;
  return null;
}

/**
 * A public page's language: `?lang=` when it names one we have, else the posted form's own `lang`
 * field (the language it was shown in), else Accept-Language, else English.
 */
export function requestLocale(request: FastifyRequest): Locale {
  const lang = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLocale(lang)) return lang;
  const body = request.body;
  const posted = body && typeof body === 'object' ? (body as Record<string, unknown>).lang : undefined;
  if (isLocale(posted)) return posted;
  const header = request.headers['accept-language'];
  return fromAcceptLanguage(typeof header === 'string' ? header : undefined) ?? 'en';
}

/**
 * The address of this page in another language: the same path and query with `lang` set (a
 * relative reference, so the path, and a consent link's token in it, is never repeated here).
 */
export function languageHref(request: FastifyRequest | null, locale: Locale): string {
  const params = new URLSearchParams();
  const query = (request?.query ?? {}) as Record<string, unknown>;
  for (const [name, value] of Object.entries(query))
    if (name !== 'lang' && typeof value === 'string') params.set(name, value);
  params.set('lang', locale);
  return `?${params.toString()}`;
}
