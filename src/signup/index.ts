/** The public signup path shared by every public form: RSVPs, form submissions, petition signatures. */

export * from './errors.js';
export * from './group-commit.js';
export * from './i18n.js';
export type { PublicCatalog, PublicMessageKey } from './messages/en.js';
export * from './page.js';
export * from './public-signup.js';
