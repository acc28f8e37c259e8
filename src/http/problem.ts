import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import { AppError, type FieldProblem } from '../errors.js';

/** RFC 9457 problem details, as sent on the wire. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  errors?: FieldProblem[];
}

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: 'Problem' });

const TITLES: Record<string, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function toProblem(error: AppError): Problem {
  const problem: Problem = {
    type: `https://rhizome.invalid/problems/${error.code}`,
    title: TITLES[error.status] ?? 'Error',
    status: error.status,
    detail: error.message,
    code: error.code,
  };
  if (error.fields.length > 0) problem.errors = error.fields;
  return problem;
}

export function sendProblem(reply: FastifyReply, error: AppError): FastifyReply {
  return reply.status(error.status).type('application/problem+json').send(toProblem(error));
}

/** A zod failure, as an AppError naming each offending field by its dotted path within `where`. */
export function zodToAppError(error: z.ZodError, where: string): AppError {
  const fields = error.issues.map((issue) => ({
    field: issue.path.length > 0 ? issue.path.map(String).join('.') : where,
    message: issue.message,
  }));
  const first = fields[0];
  return new AppError('validation_failed', first ? `${first.field}: ${first.message}` : `invalid ${where}`, {
    fields,
  });
}
