import { z } from 'zod';
import { ProblemSchema } from './problem.js';
import type { AnyRoute } from './route.js';

type JsonSchema = Record<string, unknown>;

function schemaOf(type: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const json = z.toJSONSchema(type, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete json.$schema;
  return json;
}

function parametersOf(type: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!type) return [];
  const json = schemaOf(type, 'input') as { properties?: Record<string, JsonSchema>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, schema]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema,
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
  }));
}

const toOpenApiPath = (url: string): string => url.replace(/:([A-Za-z_]+)/g, '{$1}');

/** The OpenAPI 3.1 document, built from the same zod contracts the routes validate with. */
export function buildOpenApi(routes: AnyRoute[], info: { version: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    if (route.hidden) continue;
    const path = toOpenApiPath(route.url);
    const isPublic = 'public' in route.policy;
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: route.tags,
      operationId: `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
      parameters: [...parametersOf(route.params, 'path'), ...parametersOf(route.query, 'query')],
      responses: {
        [String(route.status ?? (route.response ? 200 : 204))]: route.response
          ? {
              description: 'OK',
              content: { 'application/json': { schema: schemaOf(route.response, 'output') } },
            }
          : { description: 'Done' },
        default: {
          description: 'An error (RFC 9457 problem details naming the offending field)',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
      ...(isPublic ? { security: [] } : {}),
      ...('action' in route.policy ? { 'x-rhizome-action': route.policy.action } : {}),
    };
    if (route.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
      };
    }
    paths[path] ??= {};
    (paths[path] as Record<string, unknown>)[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Rhizome API',
      version: info.version,
      description:
        'The Rhizome REST API. Authenticate with a session cookie (and the X-CSRF-Token header on writes) or an API token in `Authorization: Bearer`. Errors are RFC 9457 problem details.',
      license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'An API token from `rhizome token create`' },
        session: { type: 'apiKey', in: 'cookie', name: 'rhizome_session' },
      },
      schemas: { Problem: schemaOf(ProblemSchema, 'output') },
    },
    paths,
  };
}
