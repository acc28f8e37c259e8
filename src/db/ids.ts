import { randomFillSync } from 'node:crypto';

/*
 * UUIDv7 (RFC 9562): 48-bit Unix milliseconds, version 7, a 32-bit counter spread over rand_a and
 * the top of rand_b (RFC method 1: it starts at a random value each millisecond and counts up, so
 * ids made in one process sort by creation), variant 10, random rest. Random bytes come from a
 * pool filled 8 KB at a time: the uuid package asked the kernel for 16 bytes per id, and an import
 * making ~5 ids a row spent more time in randomFillSync than in parsing its CSV.
 */

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const POOL_BYTES = 8192;
const pool = Buffer.alloc(POOL_BYTES);
let poolAt = POOL_BYTES;
let lastMs = 0;
let counter = 0;

function randomBytes(n: number): number {
  if (poolAt + n > POOL_BYTES) {
    randomFillSync(pool);
    poolAt = 0;
  }
  const at = poolAt;
  poolAt += n;
  return at;
}

function next(): string {
  const now = Date.now();
  if (now > lastMs) {
    lastMs = now;
    // Start low enough (31 random bits) that counting up rarely reaches the 32-bit limit.
    counter = pool.readUInt32BE(randomBytes(4)) >>> 1;
  } else if (++counter > 0xffffffff) {
    // More ids than the counter holds in one millisecond: borrow the next millisecond.
    lastMs++;
    counter = 0;
  }
  const ms = lastMs;
  const r = randomBytes(6);
  const hi = Math.floor(ms / 0x10000);
  const c = counter;
  const b = (i: number): number => pool[r + i] as number;
  return (
    `${HEX[(hi >>> 24) & 0xff]}${HEX[(hi >>> 16) & 0xff]}${HEX[(hi >>> 8) & 0xff]}${HEX[hi & 0xff]}-` +
    `${HEX[(ms >>> 8) & 0xff]}${HEX[ms & 0xff]}-` +
    `${HEX[0x70 | ((c >>> 28) & 0x0f)]}${HEX[(c >>> 20) & 0xff]}-` +
    `${HEX[0x80 | ((c >>> 14) & 0x3f)]}${HEX[(c >>> 6) & 0xff]}-` +
    `${HEX[((c << 2) & 0xfc) | (b(0) & 0x03)]}${HEX[b(1)]}${HEX[b(2)]}${HEX[b(3)]}${HEX[b(4)]}${HEX[b(5)]}`
  );
}

/** A new UUIDv7: time-ordered, so ids sort by creation and index pages stay warm. */
export function newId(): string {
  return next();
}

/** n new UUIDv7s in creation order (ids for a set-based insert). */
export function newIds(n: number): string[] {
  const ids = new Array<string>(n);
  for (let i = 0; i < n; i++) ids[i] = next();
  return ids;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
