/** Consent links: a person's own page to change their choices, reached from a message, no account. */
export {
  OptOutInput,
  type PersonConsentView,
  personConsent,
  recordOptOut,
} from './consent.person.js';
export { consentRoutes } from './consent.routes.js';
export {
  applyChoices,
  applyConsentChoices,
  type ChoiceSource,
  type ConsentChoices,
  type ConsentState,
  consentPagePath,
  consentState,
  DEFAULT_LINK_DAYS,
  MAX_LINK_DAYS,
  type MintedLink,
  MintInput,
  mintConsentLink,
  type OpenLink,
  openLink,
  type PersonChoices,
  personChoices,
  recordSignupTexts,
  revokeConsentLinks,
  type SignupTextChoice,
  type SmsChoice,
} from './consent.service.js';
export { rotateConsentKey } from './consent.tokens.js';
