import { AppError } from '../errors.js';

interface PgLikeError {
  code?: string;
  constraint?: string;
  message?: string;
}

// What each named constraint means to a user. A violation of a constraint not named here is a
// bug in Rhizome's own validation, so it becomes an internal error (logged, not shown).
const CONSTRAINT_MESSAGES: Record<string, { field: string; message: string }> = {
  org_slug_key: { field: 'slug', message: 'an organization with this slug already exists' },
  org_slug_format_check: { field: 'slug', message: 'use 2-63 lower-case letters, digits and dashes' },
  unit_org_path_key: { field: 'path', message: 'a unit with this path already exists' },
  app_user_org_email_key: {
    field: 'email',
    message: 'a user with this email already exists in this organization',
  },
  api_token_user_name_key: { field: 'name', message: 'this user already has a token with this name' },
  tag_org_name_key: { field: 'name', message: 'a tag with this name already exists' },
  custom_field_org_key_key: { field: 'key', message: 'a custom field with this key already exists' },
  foreign_identifier_pkey: {
    field: 'identifiers',
    message: 'this identifier already belongs to another record',
  },
  relationship_pair_kind_key: { field: 'kind', message: 'this relationship already exists' },
  relationship_not_self_check: {
    field: 'related_person_id',
    message: 'a person cannot be related to themselves',
  },
};

/**
 * Translates a driver error into an AppError, once, in the data layer. Driver text never reaches a
 * client; it is kept in `internal` for the log.
 */
export function translateDbError(error: unknown): unknown {
  if (error instanceof AppError) return error;
  const pgError = error as PgLikeError;
  if (!pgError || typeof pgError.code !== 'string' || !/^[0-9A-Z]{5}$/.test(pgError.code)) return error;
  const known = pgError.constraint ? CONSTRAINT_MESSAGES[pgError.constraint] : undefined;
  if (known && (pgError.code === '23505' || pgError.code === '23514')) {
    return new AppError(
      pgError.code === '23505' ? 'conflict' : 'validation_failed',
      `${known.field}: ${known.message}`,
      {
        fields: [known],
        internal: pgError.message,
        cause: error,
      },
    );
  }
  if (pgError.code === '23503') {
    return new AppError('validation_failed', 'a referenced record does not exist', {
      internal: pgError.message,
      cause: error,
    });
  }
  if (pgError.code === '40001' || pgError.code === '40P01') {
    return new AppError('unavailable', 'the database was busy; try again', {
      internal: pgError.message,
      cause: error,
    });
  }
  if (pgError.code.startsWith('08') || pgError.code === '57P01') {
    return new AppError('unavailable', 'the database is unavailable', {
      internal: pgError.message,
      cause: error,
    });
  }
  return new AppError('internal', 'internal error', {
    internal: `${pgError.code}: ${pgError.message}`,
    cause: error,
  });
}
