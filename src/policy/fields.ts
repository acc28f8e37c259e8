import type { FieldClass } from './actions.js';

/**
 * Every built-in field of a person and its class. Custom fields declare their own class
 * (`custom_field.field_class`) and are named `custom_fields.<key>` here.
 *
 * basic: who someone is and roughly where (name, locality, tags); contact: how to reach them and
 * where exactly (addresses, numbers, street, postal code, coordinates, birth date); status: their
 * consent and flags (subscription, do-not-call, do-not-contact, sensitivity, legal hold).
 */
export const PERSON_FIELDS = {
  given_name: 'basic',
  family_name: 'basic',
  additional_name: 'basic',
  pronouns: 'basic',
  preferred_language: 'basic',
  home_unit: 'basic',
  tags: 'basic',
  identifiers: 'basic',
  /** An address's locality, region and country. */
  locality: 'basic',
  /** A person's notes, activities and relationships (the timeline). */
  timeline: 'basic',
  /** Who owns the relationship with the person (their point person). */
  point_person: 'basic',
  birthdate: 'contact',
  emails: 'contact',
  phones: 'contact',
  /** An address's lines, postal code and coordinates. */
  street_address: 'contact',
  email_status: 'status',
  phone_flags: 'status',
  do_not_contact: 'status',
  sensitive: 'status',
  legal_hold: 'status',
  /** A person's levels on the engagement ladders, their assessments and suggestions. */
  ladder_level: 'status',
} as const satisfies Record<string, FieldClass>;
export type PersonField = keyof typeof PERSON_FIELDS;

export const isPersonField = (name: string): name is PersonField => Object.hasOwn(PERSON_FIELDS, name);

/** What a user can see of one person: whole classes, plus single fields an assignment names. */
export interface FieldGrant {
  classes: ReadonlySet<FieldClass>;
  fields: ReadonlySet<string>;
}

/** Whether a built-in field or a custom field (by its class) is visible under this grant. */
export function fieldVisible(grant: FieldGrant, field: PersonField): boolean {
  return grant.classes.has(PERSON_FIELDS[field]) || grant.fields.has(field);
}

export function customFieldVisible(grant: FieldGrant, key: string, fieldClass: FieldClass): boolean {
  return grant.classes.has(fieldClass) || grant.fields.has(`custom_fields.${key}`);
}
