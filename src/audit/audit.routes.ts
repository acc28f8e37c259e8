import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { AUDIT_ACTIONS } from './audit.chain.js';
import { listAudit, verifyOwnAudit } from './audit.service.js';

const AuditQuery = z.object({
  action: z.enum(AUDIT_ACTIONS).optional(),
  actor: z.uuid().optional().describe('Entries by this user'),
  person: z.uuid().optional().describe('Entries concerning this person'),
  since: z.coerce.date().optional().describe('At or after this moment'),
  until: z.coerce.date().optional().describe('Before this moment'),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.coerce.number().int().min(1).optional().describe('The `next` of the previous page'),
});

const AuditEvent = z
  .object({
    seq: z.number(),
    id: z.string(),
    at: z.date(),
    action: z.enum(AUDIT_ACTIONS),
    actor: z.object({
      kind: z.enum(['user', 'system', 'anonymous']),
      id: z.string().nullable(),
      label: z.string().nullable(),
    }),
    subject_ids: z.array(z.string()),
    fields: z.array(z.string()),
    purpose: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()),
    prev_hash: z.string(),
    hash: z.string(),
  })
  .meta({ id: 'AuditEvent' });

const VerifyResult = z.object({
  ok: z.boolean(),
  checked: z.number(),
  heads: z.array(z.object({ orgId: z.string(), seq: z.number(), hash: z.string() })),
  problems: z.array(
    z.object({
      orgId: z.string(),
      seq: z.number(),
      problem: z.enum(['edited', 'missing', 'head mismatch', 'out of order']),
      detail: z.string(),
    }),
  ),
  truncated: z.boolean(),
});

export const auditRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/audit',
    policy: { action: 'audit.read' },
    summary: "The organization's audit trail, newest first (follow `next` for older entries)",
    tags: ['audit'],
    query: AuditQuery,
    response: z.object({ items: z.array(AuditEvent), next: z.string().nullable() }),
    handler: async ({ query, ctx }) =>
      await listAudit(ctx, {
        limit: query.limit,
        ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
        ...(query.action ? { action: query.action } : {}),
        ...(query.actor ? { actorId: query.actor } : {}),
        ...(query.person ? { personId: query.person } : {}),
        ...(query.since ? { since: query.since } : {}),
        ...(query.until ? { until: query.until } : {}),
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/audit/verify',
    policy: { action: 'audit.read' },
    summary: "Recomputes the organization's audit chain and reports edited or removed entries",
    tags: ['audit'],
    response: VerifyResult,
    handler: async ({ ctx }) => await verifyOwnAudit(ctx),
  }),
];
