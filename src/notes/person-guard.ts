import { requirePerson } from '../access/people-access.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { accessOf, decide, PERSON_FIELDS } from '../policy/index.js';

/**
 * The actor may read (or write) this person's timeline: notes, activities and relationships.
 * 404 unless the person exists here, is not merged away and is within the actor's reach; 403 when
 * the actor sees the person but not their timeline (a host who sees first names only).
 */
export async function assertLivePerson(
  ctx: Ctx,
  personId: string,
  action: 'people.read' | 'people.write',
): Promise<void> {
  const facts = await requirePerson(ctx, personId, action);
  const decision = decide(accessOf(ctx.actor), action, facts, {
    name: 'timeline',
    fieldClass: PERSON_FIELDS.timeline,
  });
  if (!decision.allowed) {
    throw new AppError('forbidden', decision.reasons.at(-1)?.message ?? 'you may not see this', {
      internal: 'timeline',
    });
  }
}
