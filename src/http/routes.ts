import { authRoutes } from '../auth/index.js';
import { exportRoutes } from '../exports/index.js';
import { groupingRoutes } from '../groupings/index.js';
import { importRoutes } from '../imports/index.js';
import { mergeRoutes } from '../merges/index.js';
import { osdiRoutes } from '../osdi/index.js';
import { peopleRoutes } from '../people/index.js';
import { unitRoutes } from '../units/index.js';
import type { AnyRoute } from './route.js';

/** Every domain's routes, in one list: the router, the OpenAPI document and the policy test read it. */
export function allRoutes(): AnyRoute[] {
  return [
    ...authRoutes,
    ...unitRoutes,
    ...peopleRoutes,
    ...mergeRoutes,
    ...groupingRoutes,
    ...importRoutes,
    ...exportRoutes,
    ...osdiRoutes,
  ];
}
