import { requirePerson } from '../access/people-access.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { accessOf, decide, PERSON_FIELDS, type PersonFacts, type PersonField } from '../policy/index.js';

/**
 * The actor may read (or write) this field of this person: 404 unless the person exists here, is
 * not merged away and is within the actor's reach; 403 when the actor sees the person but not this
 * field (a host who sees first names only, a role without the field's class).
 */
export async function assertPersonField(
  ctx: Ctx,
  personId: string,
  action: 'people.read' | 'people.write',
  field: PersonField,
): Promise<PersonFacts> {
  const facts = await requirePerson(ctx, personId, action);
  const decision = decide(accessOf(ctx.actor), action, facts, {
    name: field,
    fieldClass: PERSON_FIELDS[field],
  });
  if (!decision.allowed) {
    throw new AppError('forbidden', decision.reasons.at(-1)?.message ?? 'you may not see this', {
      internal: field,
    });
  }
  return facts;
}

/**
 * The actor may read (or write) this person's timeline: notes, activities and relationships
 * (`assertPersonField` on the `timeline` field).
 */
export async function assertLivePerson(
  ctx: Ctx,
  personId: string,
  action: 'people.read' | 'people.write',
): Promise<void> {
  await assertPersonField(ctx, personId, action, 'timeline');
}
