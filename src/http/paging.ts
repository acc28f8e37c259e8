import { z } from 'zod';

/** One page of a list, as every paged route answers. */
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

/** The schema of one page of `item`s (for the OpenAPI document). */
export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), page: z.number(), per_page: z.number() });

/** `page` (from 1) and `per_page` (1 to 100, 50 by default) query parameters. */
export const PageQuery = {
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
};
