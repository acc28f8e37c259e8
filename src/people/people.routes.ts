import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import {
  AddressPatch,
  addContactValue,
  type ContactKind,
  EmailPatch,
  PhonePatch,
  removeContactValue,
  updateContactValue,
} from './people.contacts.js';
import { AddressInput, EmailInput, PersonInput, PhoneInput } from './people.schemas.js';
import { countVisiblePeople, PeopleFilter, searchPeople } from './people.search.js';
import { deletePerson, getPerson, PersonPatch, signUpPerson, updatePerson } from './people.service.js';

const IdParams = z.object({ id: z.uuid() });
const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
});

const Provenance = {
  id: z.string(),
  primary: z.boolean(),
  source: z.object({ kind: z.string(), ref: z.string().nullable() }).optional(),
  observed_at: z.date().optional(),
  confirmed_at: z.date().optional(),
  confidence: z.number().optional(),
};
/**
 * A person as the caller may see them: every field but `id` is present only when the caller's
 * grants show its class (absent, never null, otherwise). Contact values the caller may reach but
 * not read come masked (`address_masked`, `number_masked`) with `capabilities` links.
 */
export const PersonViewSchema = z
  .object({
    id: z.string(),
    given_name: z.string().nullable(),
    family_name: z.string().nullable(),
    additional_name: z.string().nullable(),
    pronouns: z.string().nullable(),
    preferred_language: z.string().nullable(),
    birthdate: z.string().nullable(),
    home_unit: z.object({ id: z.string(), path: z.string(), name: z.string() }).nullable(),
    do_not_contact: z.boolean(),
    sensitive: z.boolean(),
    legal_hold: z.boolean(),
    emails: z.array(
      z.object({
        ...Provenance,
        address: z.string().optional(),
        address_masked: z
          .string()
          .optional()
          .describe('j•••@g•••.org, when the caller may message but not read'),
        status: z.string().optional(),
      }),
    ),
    phones: z.array(
      z.object({
        ...Provenance,
        number: z.string().optional(),
        number_masked: z.string().optional(),
        type: z.string().optional(),
        sms_capable: z.boolean().optional(),
        do_not_call: z.boolean().optional(),
      }),
    ),
    addresses: z.array(
      z.object({
        ...Provenance,
        lines: z.array(z.string()).optional(),
        locality: z.string().nullable().optional(),
        region: z.string().nullable().optional(),
        postal_code: z.string().nullable().optional(),
        country: z.string().nullable().optional(),
        latitude: z.number().nullable().optional(),
        longitude: z.number().nullable().optional(),
      }),
    ),
    custom_fields: z.record(z.string(), z.unknown()),
    tags: z.array(z.string()),
    identifiers: z.array(z.string()),
    created_at: z.date(),
    updated_at: z.date(),
    origin: z.object({ node: z.string(), id: z.string() }),
    capabilities: z
      .object({ message: z.string().optional(), call: z.string().optional() })
      .describe('Reach the person through Rhizome without their address or number'),
  })
  .partial()
  .required({ id: true })
  .meta({ id: 'Person' });

const SignupBody = PersonInput.extend({}).meta({ id: 'PersonInput' });

export const peopleRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/people',
    policy: { action: 'people.read' },
    summary: 'Search people',
    tags: ['people'],
    query: PeopleFilter.extend(Paging.shape),
    response: z.object({
      items: z.array(PersonViewSchema),
      total: z.number(),
      page: z.number(),
      per_page: z.number(),
    }),
    handler: async ({ query, ctx }) => {
      const { page, per_page, ...filter } = query;
      return await searchPeople(ctx, filter, { page, perPage: per_page });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/count',
    policy: { action: 'people.aggregate' },
    summary: 'How many people match (within your reach), without seeing anyone: for analysts and dashboards',
    tags: ['people'],
    query: PeopleFilter.omit({ sort: true }),
    response: z.object({ total: z.number() }),
    handler: async ({ query, ctx }) => ({ total: await countVisiblePeople(ctx, query) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people',
    policy: { action: 'people.write' },
    summary: 'Add a person, or merge into the matching person (matched by identifier, email, then phone)',
    tags: ['people'],
    body: SignupBody,
    response: z.object({
      person: PersonViewSchema,
      created: z.boolean(),
      possible_duplicates: z.array(z.string()),
    }),
    status: 200,
    handler: async ({ body, ctx, reply }) => {
      const result = await signUpPerson(ctx, body);
      reply.status(result.created ? 201 : 200);
      return { person: result.person, created: result.created, possible_duplicates: result.flaggedWith };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id',
    policy: { action: 'people.read' },
    summary: 'Get a person',
    tags: ['people'],
    params: IdParams,
    response: PersonViewSchema,
    handler: async ({ params, ctx }) => await getPerson(ctx, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/people/:id',
    policy: { action: 'people.write' },
    summary: "Change a person's own fields (names, birth date, flags, home unit)",
    tags: ['people'],
    params: IdParams,
    body: PersonPatch,
    response: PersonViewSchema,
    handler: async ({ params, body, ctx }) => await updatePerson(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/people/:id',
    policy: { action: 'people.delete' },
    summary: 'Delete a person (a tombstone records it for partners)',
    tags: ['people'],
    params: IdParams,
    handler: async ({ params, ctx }) => {
      await deletePerson(ctx, params.id);
    },
  }),
  ...contactRoutes('emails', EmailInput, EmailPatch),
  ...contactRoutes('phones', PhoneInput, PhonePatch),
  ...contactRoutes('addresses', AddressInput, AddressPatch),
];

function contactRoutes(kind: ContactKind, input: z.ZodType, patch: z.ZodType) {
  const one = kind === 'addresses' ? 'address' : kind.slice(0, -1);
  const ValueParams = z.object({ id: z.uuid(), valueId: z.uuid() });
  return [
    defineRoute({
      method: 'POST',
      url: `/api/v1/people/:id/${kind}`,
      policy: { action: 'people.write' },
      summary: `Add an ${one} to a person (a value they already have is re-confirmed)`,
      tags: ['people'],
      params: IdParams,
      body: input,
      response: PersonViewSchema,
      status: 201,
      handler: async ({ params, body, ctx }) => await addContactValue(ctx, params.id, kind, body),
    }),
    defineRoute({
      method: 'PATCH',
      url: `/api/v1/people/:id/${kind}/:valueId`,
      policy: { action: 'people.write' },
      summary: `Change an ${one} (status, flags, or make it primary)`,
      tags: ['people'],
      params: ValueParams,
      body: patch,
      response: PersonViewSchema,
      handler: async ({ params, body, ctx }) =>
        await updateContactValue(ctx, params.id, kind, params.valueId, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: `/api/v1/people/:id/${kind}/:valueId`,
      policy: { action: 'people.write' },
      summary: `Remove an ${one} from a person`,
      tags: ['people'],
      params: ValueParams,
      response: PersonViewSchema,
      handler: async ({ params, ctx }) => await removeContactValue(ctx, params.id, kind, params.valueId),
    }),
  ];
}
