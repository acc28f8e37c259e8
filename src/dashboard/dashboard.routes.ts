import { defineRoute } from '../http/route.js';
import { DashboardQuery, DashboardView } from './dashboard.schemas.js';
import { dashboard } from './dashboard.service.js';

export const dashboardRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/dashboard',
    policy: { action: 'people.aggregate' },
    summary:
      'Counts for the home page: new people per week, ladder movement, event turnout, follow-ups due; only over people you may count',
    tags: ['dashboard'],
    query: DashboardQuery,
    response: DashboardView,
    handler: async ({ query, ctx }) => await dashboard(ctx, query),
  }),
];
