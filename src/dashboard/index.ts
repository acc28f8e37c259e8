/** The dashboard: counts over the people, ladders, events and follow-ups the caller may count. */
export { dashboardRoutes } from './dashboard.routes.js';
export { dashboard, weekStart } from './dashboard.service.js';
