/** The OSDI 1.2 API (HAL+JSON) under /osdi/v1. */

export { eventToOsdi, osdiEventRoutes } from './osdi.events.js';
export { type Condition, parseFilter } from './osdi.filter.js';
export { formToOsdi, osdiFormRoutes } from './osdi.forms.js';
export { fromOsdi, OsdiPerson, toOsdi } from './osdi.people.js';
export { answerToOsdi, osdiQuestionRoutes, questionToOsdi } from './osdi.questions.js';
export { NAMESPACE, osdiRoutes } from './osdi.routes.js';
