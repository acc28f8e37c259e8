import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { type Catalog, en, type MessageKey } from './en.js';
import { es } from './es.js';

export const LANGUAGES = { en: 'English', es: 'Español' } as const;
export type Language = keyof typeof LANGUAGES;
const CATALOGS: Record<Language, Catalog> = { en, es };
const STORAGE_KEY = 'rhizome.language';

type Vars = Record<string, string | number>;
/** Keys that have plural forms, without the suffix. */
type PluralKey = MessageKey extends infer K ? (K extends `${infer B}_one` ? B : never) : never;

export interface I18n {
  language: Language;
  setLanguage(language: Language): void;
  /** A message with its `{name}` placeholders filled. */
  t(key: MessageKey, vars?: Vars): string;
  /** The plural form for `count` (which also fills `{count}`, formatted). */
  tn(key: PluralKey, count: number, vars?: Vars): string;
  formatDate(value: string | Date, withTime?: boolean): string;
  /** A calendar date (YYYY-MM-DD), the same day in every time zone. */
  formatDay(value: string): string;
}

function initialLanguage(): Language {
  const stored = localStorage.getItem(STORAGE_KEY);
  if (stored && stored in LANGUAGES) return stored as Language;
  for (const tag of navigator.languages ?? [navigator.language]) {
    const base = tag.slice(0, 2).toLowerCase();
    if (base in LANGUAGES) return base as Language;
  }
  return 'en';
}

const fill = (message: string, vars: Vars = {}): string =>
  message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in vars ? String(vars[name]) : whole));

const Context = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(initialLanguage);
  useEffect(() => {
    document.documentElement.lang = language;
  }, [language]);
  const setLanguage = useCallback((next: Language) => {
    localStorage.setItem(STORAGE_KEY, next);
    setLanguageState(next);
  }, []);
  const value = useMemo<I18n>(() => {
    const catalog = CATALOGS[language];
    const plural = new Intl.PluralRules(language);
    const number = new Intl.NumberFormat(language);
    const dates = new Intl.DateTimeFormat(language, { dateStyle: 'medium' });
    const dateTimes = new Intl.DateTimeFormat(language, { dateStyle: 'medium', timeStyle: 'short' });
    const days = new Intl.DateTimeFormat(language, { dateStyle: 'long', timeZone: 'UTC' });
    return {
      language,
      setLanguage,
      t: (key, vars) => fill(catalog[key], vars),
      tn: (key, count, vars) => {
        const form = plural.select(count) === 'one' ? 'one' : 'other';
        return fill(catalog[`${key}_${form}` as MessageKey], { ...vars, count: number.format(count) });
      },
      formatDate: (value, withTime = false) => (withTime ? dateTimes : dates).format(new Date(value)),
      formatDay: (value) => {
        const date = new Date(`${value}T00:00:00Z`);
        return Number.isNaN(date.getTime()) ? value : days.format(date);
      },
    };
  }, [language, setLanguage]);
  return <Context.Provider value={value}>{children}</Context.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(Context);
  if (!value) throw new Error('useI18n outside I18nProvider');
  return value;
}
