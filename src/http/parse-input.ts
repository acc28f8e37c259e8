import type { z } from 'zod';
import { zodToAppError } from './problem.js';

/** Parses input at a service boundary (CLI, internal callers): an AppError naming each bad field. */
export function parseInput<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw zodToAppError(parsed.error, 'input');
  return parsed.data;
}
