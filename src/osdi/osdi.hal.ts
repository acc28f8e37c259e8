import type { FastifyReply, FastifyRequest } from 'fastify';

/** OSDI responses are HAL+JSON. Links are absolute, built from the request's own host. */
export const HAL = 'application/hal+json; charset=utf-8';
export const OSDI_DOCS = 'https://opensupporter.github.io/osdi-docs/{rel}';
export const MAX_PAGE_SIZE = 100;

export function baseUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? 'localhost'}/osdi/v1`;
}

export const curies = () => [{ name: 'osdi', href: OSDI_DOCS, templated: true }];

export function hal(reply: FastifyReply, body: unknown, status = 200): FastifyReply {
  return reply.status(status).type(HAL).send(body);
}

/** Drops null and undefined members: OSDI reads a null as "delete this value". */
export function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(object).filter(([, v]) => v !== null && v !== undefined),
  ) as Partial<T>;
}

export interface CollectionPage<T> {
  rel: string;
  base: string;
  path: string;
  items: T[];
  page: number;
  perPage: number;
  total: number;
  /** Extra query for the self/next/prev links (filter, cursor). */
  query?: Record<string, string | undefined>;
  nextQuery?: Record<string, string | undefined>;
}

const withQuery = (url: string, query: Record<string, string | number | undefined>): string => {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  const text = params.toString();
  return text ? `${url}?${text}` : url;
};

/** The OSDI collection envelope: paging numbers, self/next/prev links and the embedded items. */
export function collection<T>(c: CollectionPage<T>): Record<string, unknown> {
  const totalPages = Math.max(1, Math.ceil(c.total / c.perPage));
  const url = `${c.base}${c.path}`;
  const links: Record<string, unknown> = {
    self: { href: withQuery(url, { ...c.query, page: c.page, per_page: c.perPage }) },
    [`osdi:${c.rel}`]: c.items.map((item) => ({
      href: (item as { _links?: { self?: { href: string } } })._links?.self?.href ?? '',
    })),
    curies: curies(),
  };
  if (c.page < totalPages)
    links.next = {
      href: withQuery(url, { ...c.query, ...c.nextQuery, page: c.page + 1, per_page: c.perPage }),
    };
  if (c.page > 1)
    links.prev = { href: withQuery(url, { ...c.query, page: c.page - 1, per_page: c.perPage }) };
  return {
    total_pages: totalPages,
    per_page: c.perPage,
    page: c.page,
    total_records: c.total,
    _links: links,
    _embedded: { [`osdi:${c.rel}`]: c.items },
  };
}

/** The id at the end of an OSDI href (…/people/<id>), or the value itself if it is a bare id. */
export function idFromHref(href: string | undefined): string | undefined {
  if (!href) return undefined;
  const last = href.replace(/\/+$/, '').split('/').pop();
  return last && /^[0-9a-f-]{36}$/i.test(last) ? last.toLowerCase() : undefined;
}
