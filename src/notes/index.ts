/** Notes about a person and the activity timeline (calls, one-on-ones, door knocks, meetings). */
export { noteRoutes } from './notes.routes.js';
export {
  ACTIVITY_KINDS,
  ActivityInput,
  ActivityPatch,
  ActivityView,
  NoteInput,
  NoteView,
  TIMELINE_KINDS,
  TimelineEntry,
} from './notes.schemas.js';
export {
  addActivity,
  addNote,
  assertOrgUser,
  deleteActivity,
  deleteNote,
  insertActivity,
  listActivities,
  listNotes,
  updateActivity,
  updateNote,
} from './notes.service.js';
export { assertLivePerson, assertPersonField } from './person-guard.js';
export { personTimeline } from './timeline.service.js';
