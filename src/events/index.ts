/** Events: RSVPs and check-in, hosts (event assignments), reminders queued for outreach. */

export { zipCentroid } from '../geo/index.js';
export { campaignPageRoutes } from './campaign-page.routes.js';
export { campaignRoutes } from './campaigns.routes.js';
export { localDate, searchCampaignEvents } from './campaigns.service.js';
export { type EventAction, eventScope, unitGrantGives } from './events.queries.js';
export { eventRoutes } from './events.routes.js';
export * from './events.schemas.js';
export {
  addHost,
  addShift,
  approveEvent,
  createEvent,
  deleteEvent,
  getEvent,
  HOST_GRANT,
  listEvents,
  listHosts,
  removeHost,
  requireEvent,
  updateEvent,
} from './events.service.js';
export {
  checkIn,
  getAttendance,
  listAttendees,
  publicRsvp,
  recordAttendance,
  walkIn,
} from './rsvps.service.js';
export { type WhatNext, whatNext } from './what-next.service.js';
