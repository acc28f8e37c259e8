import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { SavedSearchInput, SavedSearchPatch, SavedSearchView } from './saved-searches.schemas.js';
import {
  createSavedSearch,
  deleteSavedSearch,
  getSavedSearch,
  listSavedSearches,
  updateSavedSearch,
} from './saved-searches.service.js';

const Id = z.object({ id: z.uuid() });

export const savedSearchRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/saved-searches',
    policy: { action: 'people.read' },
    summary: 'Saved people searches, by name',
    tags: ['saved-searches'],
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      per_page: z.coerce.number().int().min(1).max(100).default(50),
    }),
    response: z.object({
      items: z.array(SavedSearchView),
      total: z.number(),
      page: z.number(),
      per_page: z.number(),
    }),
    handler: async ({ query, ctx }) =>
      await listSavedSearches(ctx, { page: query.page, perPage: query.per_page }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/saved-searches',
    policy: { action: 'people.read' },
    summary: 'Save a people search (query: the filters of GET /api/v1/people)',
    tags: ['saved-searches'],
    body: SavedSearchInput,
    response: SavedSearchView,
    status: 201,
    handler: async ({ body, ctx }) => await createSavedSearch(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/saved-searches/:id',
    policy: { action: 'people.read' },
    summary: 'One saved search',
    tags: ['saved-searches'],
    params: Id,
    response: SavedSearchView,
    handler: async ({ params, ctx }) => await getSavedSearch(ctx, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/saved-searches/:id',
    policy: { action: 'people.read' },
    summary: 'Rename a saved search or change its query',
    tags: ['saved-searches'],
    params: Id,
    body: SavedSearchPatch,
    response: SavedSearchView,
    handler: async ({ params, body, ctx }) => await updateSavedSearch(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/saved-searches/:id',
    policy: { action: 'people.read' },
    summary: 'Delete a saved search',
    tags: ['saved-searches'],
    params: Id,
    handler: async ({ params, ctx }) => {
      await deleteSavedSearch(ctx, params.id);
    },
  }),
];
