import { z } from 'zod';
import { PeopleFilter } from '../people/index.js';

/**
 * A saved search's query: exactly the people-search filters (q, name, fuzzy, email, phone, tag,
 * list, unit, zip, updated_since, ladder_level, near_zip, radius_km, contacted_since,
 * not_contacted_since, sort), as GET /api/v1/people takes them. Unknown keys are refused so that a
 * typo does not silently widen a saved search. The search reads it with
 * `PeopleFilter.parse(saved.query)`.
 */
export const SavedSearchQuery = PeopleFilter.strict().refine(
  (query) => query.radius_km === undefined || query.near_zip !== undefined,
  { message: 'give near_zip with it', path: ['radius_km'] },
);
export type SavedSearchQuery = z.infer<typeof SavedSearchQuery>;

export const SavedSearchInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(2000).nullable().optional(),
    query: SavedSearchQuery,
  })
  .strict();
export type SavedSearchInput = z.infer<typeof SavedSearchInput>;

export const SavedSearchPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().max(2000).nullable().optional(),
    query: SavedSearchQuery.optional(),
  })
  .strict();
export type SavedSearchPatch = z.infer<typeof SavedSearchPatch>;

export const SavedSearchView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    query: z.record(z.string(), z.unknown()),
    created_by: z.string().nullable(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'SavedSearch' });
export type SavedSearchView = z.infer<typeof SavedSearchView>;
