import { accessRoutes } from '../access/index.js';
import { auditRoutes } from '../audit/index.js';
import { authRoutes } from '../auth/index.js';
import { callingRoutes } from '../calling/index.js';
import { consentRoutes } from '../consent/index.js';
import { dashboardRoutes } from '../dashboard/index.js';
import { duplicateRoutes } from '../duplicates/index.js';
import { campaignPageRoutes, campaignRoutes, eventRoutes } from '../events/index.js';
import { exportRoutes } from '../exports/index.js';
import { fieldRoutes } from '../fields/index.js';
import { followUpRoutes } from '../followups/index.js';
import { formRoutes } from '../forms/index.js';
import { groupingRoutes } from '../groupings/index.js';
import { importRoutes } from '../imports/index.js';
import { ladderRoutes } from '../ladder/index.js';
import { mergeRoutes } from '../merges/index.js';
import { noteRoutes } from '../notes/index.js';
import { osdiEventRoutes, osdiFormRoutes, osdiQuestionRoutes, osdiRoutes } from '../osdi/index.js';
import { peopleRoutes } from '../people/index.js';
import { relationshipRoutes } from '../relationships/index.js';
import { savedSearchRoutes } from '../saved-searches/index.js';
import { turfRoutes } from '../turf/index.js';
import { unitRoutes } from '../units/index.js';
import type { AnyRoute } from './route.js';

/** Every domain's routes, in one list: the router, the OpenAPI document and the policy test read it. */
export function allRoutes(): AnyRoute[] {
  return [
    ...authRoutes,
    ...accessRoutes,
    ...unitRoutes,
    ...peopleRoutes,
    ...mergeRoutes,
    ...duplicateRoutes,
    ...noteRoutes,
    ...relationshipRoutes,
    ...fieldRoutes,
    ...savedSearchRoutes,
    ...groupingRoutes,
    ...importRoutes,
    ...exportRoutes,
    ...osdiRoutes,
    ...osdiQuestionRoutes,
    ...auditRoutes,
    ...ladderRoutes,
    ...followUpRoutes,
    ...callingRoutes,
    ...osdiEventRoutes,
    ...formRoutes,
    ...osdiFormRoutes,
    ...eventRoutes,
    ...campaignRoutes,
    ...turfRoutes,

    // routes: imports

    // routes: organizing

    // routes: events

    // routes: admin
    ...dashboardRoutes,

    // routes: field

    // routes: public
    ...campaignPageRoutes,
    ...consentRoutes,

    // routes: dayofaction
  ];
}
