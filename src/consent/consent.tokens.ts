import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';

/**
 * A consent link's token: `<link id>.<secret>`, both base64url (22 + 43 characters). The id finds
 * the row; the secret (32 random bytes) is the capability. Only HMAC-SHA256 under the
 * organization's key of `<link id>.<secret>` is stored (docs/adr/0018-consent-links-token-design.md).
 */
const TOKEN = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/;

export interface ParsedToken {
  linkId: string;
  secret: string;
}

const uuidToBytes = (id: string) => Buffer.from(id.replaceAll('-', ''), 'hex');
function bytesToUuid(bytes: Buffer): string {
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The token's parts, or null for anything that is not a well-formed token. */
export function parseToken(token: string): ParsedToken | null {
  const match = TOKEN.exec(token);
  if (!match) return null;
  const id = Buffer.from(match[1] as string, 'base64url');
  if (id.length !== 16) return null;
  return { linkId: bytesToUuid(id), secret: match[2] as string };
}

/** A new token for a new link id: the token (shown once) and the secret part. */
export function newToken(linkId: string): { token: string; secret: string } {
  const secret = randomBytes(32).toString('base64url');
  return { token: `${uuidToBytes(linkId).toString('base64url')}.${secret}`, secret };
}

/** What is stored for a token: HMAC-SHA256 under the organization's key, bound to the link id. */
export function tokenMac(key: Uint8Array, linkId: string, secret: string): Buffer {
  return createHmac('sha256', key).update(`${linkId}.${secret}`).digest();
}

/**
 * The hidden field the consent page's form carries back: HMAC under the organization's key of the
 * link id, so a post must come from a page this server rendered for this link.
 */
export function formToken(key: Uint8Array, linkId: string): string {
  return createHmac('sha256', key).update(`consent-form.${linkId}`).digest('base64url');
}

/** Whether a posted form token is this link's (constant time). */
export function formTokenMatches(key: string, posted: unknown): boolean {
  if (typeof posted !== 'string') return false;
  const a = Buffer.from(key);
  const b = Buffer.from(posted);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Compares in constant time (a stored MAC from either driver). */
export function macMatches(stored: Uint8Array, computed: Buffer): boolean {
  const a = Buffer.from(stored);
  return a.length === computed.length && timingSafeEqual(a, computed);
}

/** The organization's key, made on first use (32 random bytes; concurrent first uses agree). */
export async function consentKey(db: Kysely<DB>, orgId: string): Promise<Uint8Array> {
  await db
    .insertInto('consent_key')
    .values({ org_id: orgId, id: newId(), secret: randomBytes(32) })
    .onConflict((oc) => oc.constraint('consent_key_org_key').doNothing())
    .execute();
  const row = await db
    .selectFrom('consent_key')
    .select('secret')
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return row.secret;
}

/**
 * Replaces the organization's key: every link it has outstanding stops working at once (the
 * stored MACs no longer match). Returns how many unexpired, unrevoked links that ended.
 */
export async function rotateConsentKey(db: Kysely<DB>, orgId: string, now: Date): Promise<number> {
  await db.deleteFrom('consent_key').where('org_id', '=', orgId).execute();
  await consentKey(db, orgId);
  const row = await db
    .selectFrom('consent_link')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('org_id', '=', orgId)
    .where('revoked_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
