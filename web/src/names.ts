import type { Person } from './api.js';

/** The name the user may see, or null when their grants show no name. */
export function displayName(person: Person): string | null {
  const parts = [person.given_name, person.additional_name, person.family_name].filter(
    (part): part is string => typeof part === 'string' && part.trim() !== '',
  );
  return parts.length > 0 ? parts.join(' ') : null;
}
