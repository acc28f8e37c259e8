/** The field screens, loaded together on first use (routes.tsx). */
export { CallLists } from './CallLists.js';
export { CallRunner } from './CallRunner.js';
export { PhoneTreePage } from './PhoneTreePage.js';
export { WalkLists } from './WalkLists.js';
export { WalkRunner } from './WalkRunner.js';
