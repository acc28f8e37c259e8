import type { Kysely } from 'kysely';
import zipcodes from 'zipcodes';
import type { DB } from '../db/schema.js';
import { boundingBox, type Point, pointsWithin } from './distance.js';

/** A US ZIP code's centroid from the packaged table (nothing is fetched), or null. */
export function zipCentroid(zip: string): Point | null {
  const five = /^(\d{5})(?:-\d{4})?$/.exec(zip.trim())?.[1];
  if (!five) return null;
  const found = zipcodes.lookup(five);
  return found ? { latitude: found.latitude, longitude: found.longitude } : null;
}

/** The packaged table's five-digit US ZIP codes with their centroids, read once. */
let usZips: { zip: string; latitude: number; longitude: number }[] | undefined;
function allUsZips() {
  usZips ??= Object.entries(zipcodes.codes)
    .filter(([key]) => /^\d{5}$/.test(key))
    .map(([zip, c]) => ({ zip, latitude: c.latitude, longitude: c.longitude }));
  return usZips;
}

/**
 * The US ZIP codes whose centroid lies within `radiusKm` of `center`: where an address without
 * coordinates is placed. The box prefilters the packaged table here; the distance is the database's
 * (`distanceKm`), so the two ways of placing an address measure alike.
 */
export async function zipsWithin(db: Kysely<DB>, center: Point, radiusKm: number): Promise<string[]> {
  const box = boundingBox(center, radiusKm);
  const candidates = allUsZips().filter(
    (z) =>
      z.latitude >= box.minLat &&
      z.latitude <= box.maxLat &&
      z.longitude >= box.minLon &&
      z.longitude <= box.maxLon,
  );
  return (await pointsWithin(db, candidates, center, radiusKm)).map((z) => z.zip).sort();
}
