import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import {
  addMember,
  createGrouping,
  deleteGrouping,
  GroupingInput,
  type GroupingKind,
  GroupingPatch,
  getGrouping,
  getMember,
  listGroupings,
  listGroupingsOfPerson,
  listNamedMembers,
  removeMember,
  updateGrouping,
} from './groupings.service.js';

const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
});

function routesFor(kind: GroupingKind) {
  const plural = kind === 'tag' ? 'tags' : 'lists';
  const member = kind === 'tag' ? 'taggings' : 'items';
  const read = kind === 'tag' ? 'tags.read' : 'lists.read';
  const write = kind === 'tag' ? 'tags.write' : 'lists.write';
  const View = z
    .object({
      id: z.string(),
      name: z.string(),
      description: z.string().nullable(),
      identifiers: z.array(z.string()),
      total_members: z.number(),
      created_at: z.date(),
      updated_at: z.date(),
    })
    .meta({ id: kind === 'tag' ? 'Tag' : 'List' });
  const Member = z
    .object({
      id: z.string(),
      grouping_id: z.string(),
      person_id: z.string(),
      created_at: z.date(),
      updated_at: z.date(),
    })
    .meta({ id: kind === 'tag' ? 'Tagging' : 'ListItem' });
  const NamedMember = Member.extend({
    person: z
      .object({ id: z.string(), given_name: z.string().nullable(), family_name: z.string().nullable() })
      .describe('Who the member is (their name: basic fields, like tags)'),
  }).meta({ id: kind === 'tag' ? 'NamedTagging' : 'NamedListItem' });
  const OfPerson = View.extend({
    member_id: z.string().describe(`The ${kind === 'tag' ? 'tagging' : 'item'} (to remove the person)`),
  }).meta({ id: kind === 'tag' ? 'PersonTag' : 'PersonList' });
  const Id = z.object({ id: z.uuid() });
  const MemberId = z.object({ id: z.uuid(), memberId: z.uuid() });
  const page = <T extends z.ZodType>(item: T) =>
    z.object({ items: z.array(item), total: z.number(), page: z.number(), per_page: z.number() });
  return [
    defineRoute({
      method: 'GET',
      url: `/api/v1/${plural}`,
      policy: { action: read },
      summary: `List ${plural}`,
      tags: [plural],
      query: Paging,
      response: page(View),
      handler: async ({ query, ctx }) =>
        await listGroupings(ctx, kind, { page: query.page, perPage: query.per_page }),
    }),
    defineRoute({
      method: 'POST',
      url: `/api/v1/${plural}`,
      policy: { action: write },
      summary:
        kind === 'tag' ? 'Create a tag (an existing tag of the same name is returned, 200)' : 'Create a list',
      tags: [plural],
      body: GroupingInput,
      response: View,
      handler: async ({ body, ctx, reply }) => {
        const { grouping, created } = await createGrouping(ctx, kind, body);
        reply.status(created ? 201 : 200);
        return grouping;
      },
    }),
    defineRoute({
      method: 'GET',
      url: `/api/v1/${plural}/:id`,
      policy: { action: read },
      summary: `Get a ${kind}`,
      tags: [plural],
      params: Id,
      response: View,
      handler: async ({ params, ctx }) => await getGrouping(ctx, kind, params.id),
    }),
    defineRoute({
      method: 'PATCH',
      url: `/api/v1/${plural}/:id`,
      policy: { action: write },
      summary: `Rename or describe a ${kind}`,
      tags: [plural],
      params: Id,
      body: GroupingPatch,
      response: View,
      handler: async ({ params, body, ctx }) => await updateGrouping(ctx, kind, params.id, body),
    }),
    defineRoute({
      method: 'DELETE',
      url: `/api/v1/${plural}/:id`,
      policy: { action: write },
      summary: `Delete a ${kind} (the people stay)`,
      tags: [plural],
      params: Id,
      handler: async ({ params, ctx }) => {
        await deleteGrouping(ctx, kind, params.id);
      },
    }),
    defineRoute({
      method: 'GET',
      url: `/api/v1/${plural}/:id/${member}`,
      policy: { action: read },
      summary: `The people in a ${kind} (those you may see), with their names, by family name`,
      tags: [plural],
      params: Id,
      query: Paging,
      response: page(NamedMember),
      handler: async ({ params, query, ctx }) =>
        await listNamedMembers(ctx, kind, params.id, { page: query.page, perPage: query.per_page }),
    }),
    defineRoute({
      method: 'POST',
      url: `/api/v1/${plural}/:id/${member}`,
      policy: { action: write },
      summary: `Add a person to a ${kind} (adding twice is one ${kind === 'tag' ? 'tagging' : 'item'})`,
      tags: [plural],
      params: Id,
      body: z.object({ person_id: z.uuid() }),
      response: Member,
      handler: async ({ params, body, ctx, reply }) => {
        const { member: added, created } = await addMember(ctx, kind, params.id, body.person_id);
        reply.status(created ? 201 : 200);
        return added;
      },
    }),
    defineRoute({
      method: 'GET',
      url: `/api/v1/${plural}/:id/${member}/:memberId`,
      policy: { action: read },
      summary: `One ${kind === 'tag' ? 'tagging' : 'item'}`,
      tags: [plural],
      params: MemberId,
      response: Member,
      handler: async ({ params, ctx }) => await getMember(ctx, kind, params.id, params.memberId),
    }),
    defineRoute({
      method: 'GET',
      url: `/api/v1/people/:id/${plural}`,
      policy: { action: read },
      summary: `The ${plural} a person is in, each with the membership's id`,
      tags: [plural],
      params: Id,
      query: Paging,
      response: page(OfPerson),
      handler: async ({ params, query, ctx }) =>
        await listGroupingsOfPerson(ctx, kind, params.id, { page: query.page, perPage: query.per_page }),
    }),
    defineRoute({
      method: 'DELETE',
      url: `/api/v1/${plural}/:id/${member}/:memberId`,
      policy: { action: write },
      summary: `Remove a person from a ${kind}`,
      tags: [plural],
      params: MemberId,
      handler: async ({ params, ctx }) => {
        await removeMember(ctx, kind, params.id, params.memberId);
      },
    }),
  ];
}

export const groupingRoutes = [...routesFor('tag'), ...routesFor('list')];
