/**
 * The API as the web app uses it: same origin, the session cookie, and the CSRF token on every
 * write (src/http/route.ts refuses a session write without it). Types are what the API returns
 * as JSON for the signed-in user: a field the user may not see is absent, never null.
 */

export interface Problem {
  status: number;
  title?: string;
  detail?: string;
  code?: string;
  errors?: { field: string; message: string }[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

export interface Me {
  user: { id: string; email: string; display_name: string | null };
  org: { id: string };
  /** Actions some grant (a role or an assignment) gives: what the app offers in navigation. */
  actions?: string[];
  /** Actions a role binding gives (creating in a unit needs one; a host's assignment does not). */
  role_actions?: string[];
  csrf_token: string | null;
}

export interface Provenance {
  id: string;
  primary: boolean;
  source?: { kind: string; ref: string | null };
  observed_at?: string;
  confirmed_at?: string;
}

export interface Person {
  id: string;
  given_name?: string | null;
  family_name?: string | null;
  additional_name?: string | null;
  pronouns?: string | null;
  preferred_language?: string | null;
  birthdate?: string | null;
  home_unit?: { id: string; path: string; name: string } | null;
  do_not_contact?: boolean;
  sensitive?: boolean;
  legal_hold?: boolean;
  emails?: (Provenance & { address?: string; address_masked?: string; status?: string })[];
  phones?: (Provenance & { number?: string; number_masked?: string; type?: string })[];
  addresses?: (Provenance & {
    lines?: string[];
    locality?: string | null;
    region?: string | null;
    postal_code?: string | null;
    country?: string | null;
  })[];
  custom_fields?: Record<string, unknown>;
  tags?: string[];
  capabilities?: { message?: string; call?: string };
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

export interface Unit {
  id: string;
  path: string;
  name: string;
}

export interface Grouping {
  id: string;
  name: string;
}

export interface TimelineEntry {
  type: 'note' | 'activity';
  id: string;
  at: string;
  kind: string | null;
  outcome: string | null;
  body: string | null;
}

let csrfToken: string | null = null;
let onUnauthenticated: () => void = () => {};

/** The session's CSRF token (from sign-in or /auth/me), sent on every write. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** Called when a request answers 401: the session ended (signed out elsewhere, expired). */
export function setOnUnauthenticated(handler: () => void): void {
  onUnauthenticated = handler;
}

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  const response = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (response.status === 204) return undefined as T;
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new ApiError(response.status, { status: response.status, ...(data as object) });
    if (response.status === 401 && !path.endsWith('/auth/login') && !path.endsWith('/auth/me'))
      onUnauthenticated();
    throw error;
  }
  return data as T;
}

/** A query string from the values that are set. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params))
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}
