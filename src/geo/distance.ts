import { type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import type { DB } from '../db/schema.js';

/** A place on the globe in degrees (WGS 84). */
export interface Point {
  latitude: number;
  longitude: number;
}

/** The mean Earth radius (IUGG), in kilometres. */
const EARTH_RADIUS_KM = 6371.0088;
/** Kilometres per degree of latitude (and of longitude at the equator). */
const KM_PER_DEGREE = 111.2;

/** Latitude and longitude bounds that hold every point within `radiusKm` of `center`. */
export interface Box {
  minLat: number;
  maxLat: number;
  minLon: number;
  maxLon: number;
}

/** The box around `center` that holds every point within `radiusKm`: the prefilter a (latitude, longitude) index answers. */
export function boundingBox(center: Point, radiusKm: number): Box {
  const dLat = radiusKm / KM_PER_DEGREE;
  const dLon = radiusKm / (KM_PER_DEGREE * Math.max(Math.cos((center.latitude * Math.PI) / 180), 0.01));
  return {
    minLat: center.latitude - dLat,
    maxLat: center.latitude + dLat,
    minLon: center.longitude - dLon,
    maxLon: center.longitude + dLon,
  };
}

/**
 * The great-circle (haversine) distance in kilometres from `center` to the point in the columns
 * `latitude` and `longitude`, in SQL. The one distance every "near a ZIP code" search uses.
 */
export function distanceKm(latitude: RawBuilder<unknown>, longitude: RawBuilder<unknown>, center: Point) {
  return sql<number>`${sql.lit(EARTH_RADIUS_KM)} * 2 * asin(sqrt(
    power(sin(radians(${latitude} - ${center.latitude}) / 2), 2)
    + cos(radians(${center.latitude})) * cos(radians(${latitude}))
      * power(sin(radians(${longitude} - ${center.longitude}) / 2), 2)))`;
}

/** The point in these columns lies within `radiusKm` of `center`: the bounding box (indexable), then the distance. */
export function withinKm(
  latitude: RawBuilder<unknown>,
  longitude: RawBuilder<unknown>,
  center: Point,
  radiusKm: number,
) {
  const box = boundingBox(center, radiusKm);
  return sql<SqlBool>`(${latitude} BETWEEN ${box.minLat} AND ${box.maxLat}
    AND ${longitude} BETWEEN ${box.minLon} AND ${box.maxLon}
    AND ${distanceKm(latitude, longitude, center)} <= ${radiusKm})`;
}

/** Keeps the points within `radiusKm` of `center`, measured by the database with `distanceKm`. */
export async function pointsWithin<T extends Point>(
  db: Kysely<DB>,
  points: T[],
  center: Point,
  radiusKm: number,
): Promise<T[]> {
  if (points.length === 0) return [];
  const { rows } = await sql<{ i: number }>`
    SELECT z.i FROM unnest(${points.map((_, i) => i)}::int[], ${points.map((p) => p.latitude)}::float8[],
      ${points.map((p) => p.longitude)}::float8[]) AS z(i, latitude, longitude)
    WHERE ${withinKm(sql.ref('z.latitude'), sql.ref('z.longitude'), center, radiusKm)}`.execute(db);
  return rows.map((r) => points[Number(r.i)] as T);
}
