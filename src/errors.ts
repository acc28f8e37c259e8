/**
 * The one error type. Every failure a client can see is an AppError with a code from this closed
 * set; the HTTP layer maps codes to statuses in one place (http/problem.ts). `message` is for the
 * user; `internal` (never sent) is for the log.
 */
export const ERROR_STATUS = {
  validation_failed: 400,
  bad_request: 400,
  unauthenticated: 401,
  csrf_failed: 403,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/** One problem with one input: `field` is a dotted path into the body, query or CSV row. */
export interface FieldProblem {
  field: string;
  message: string;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly fields: FieldProblem[];
  readonly internal: string | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options: { fields?: FieldProblem[]; internal?: string; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.fields = options.fields ?? [];
    this.internal = options.internal;
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }
}

export const notFound = (what: string): AppError => new AppError('not_found', `${what} not found`);

export function invalid(field: string, message: string): AppError {
  return new AppError('validation_failed', `${field}: ${message}`, { fields: [{ field, message }] });
}
