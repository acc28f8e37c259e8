/** Tags and static lists: named groupings of people. */

export { groupingRoutes } from './groupings.routes.js';
export * from './groupings.service.js';
