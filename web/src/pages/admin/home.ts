import type { Me } from '../../api.js';
import { ADMIN_ACTIONS } from './api.js';

/** The page after sign-in: the dashboard for those who may count people, else the people search. */
export const homePath = (me: Me): string =>
  me.actions.includes('people.aggregate') ? '/dashboard' : '/people';

export const mayDashboard = (me: Me | null | undefined): boolean =>
  !!me?.actions.includes('people.aggregate');

/** Whether any admin section is the user's to open. */
export const mayAdmin = (me: Me | null | undefined): boolean =>
  !!me && ADMIN_ACTIONS.some((action) => me.actions.includes(action));
