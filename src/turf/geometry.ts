/**
 * Plane geometry for turf, in plain TypeScript so that it runs the same next to PostgreSQL and
 * PGlite (which has no PostGIS): bounding boxes for the SQL prefilter, the exact point-in-polygon
 * test, and the walking order of a turf's doors.
 */

/** A GeoJSON position: [longitude, latitude]. */
export type Position = [number, number];
/** A GeoJSON polygon's rings: the outer ring first, then its holes. */
export type Rings = Position[][];
export type TurfGeometry =
  | { type: 'Polygon'; coordinates: Rings }
  | { type: 'MultiPolygon'; coordinates: Rings[] };

export interface BBox {
  min_lat: number;
  max_lat: number;
  min_lon: number;
  max_lon: number;
}

const polygonsOf = (g: TurfGeometry): Rings[] => (g.type === 'Polygon' ? [g.coordinates] : g.coordinates);

export function bboxOf(g: TurfGeometry): BBox {
  const box = { min_lat: 90, max_lat: -90, min_lon: 180, max_lon: -180 };
  for (const polygon of polygonsOf(g))
    for (const [lon, lat] of polygon[0] ?? []) {
      box.min_lat = Math.min(box.min_lat, lat);
      box.max_lat = Math.max(box.max_lat, lat);
      box.min_lon = Math.min(box.min_lon, lon);
      box.max_lon = Math.max(box.max_lon, lon);
    }
  return box;
}

/**
 * Ray casting with the even-odd rule over every ring of a polygon, so a point in a hole is
 * outside (a hole is crossed once more). Points exactly on an edge may fall either way.
 */
function inRings(lon: number, lat: number, rings: Rings): boolean {
  let inside = false;
  for (const ring of rings) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i] as Position;
      const [xj, yj] = ring[j] as Position;
      if (yi > lat !== yj > lat && lon < ((xj - xi) * (lat - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/** Whether [lon, lat] lies inside the polygon or one of the multipolygon's polygons. */
export function pointInGeometry(lon: number, lat: number, g: TurfGeometry): boolean {
  return polygonsOf(g).some((rings) => inRings(lon, lat, rings));
}

/** A door as the walking order sees it. */
export interface Door {
  address_key: string;
  address_lines: string[];
  postal_code: string | null;
}

/** "1234B Main St" → 1234 and "main st"; an address without a leading number has none. */
export function parseStreet(line: string): { number: number | null; street: string } {
  const m = /^\s*(\d+)\s*[A-Za-z]?(?:[-/]\d+)?\s+(.*)$/.exec(line);
  const street = (m ? (m[2] as string) : line).trim().toLowerCase().replace(/\s+/g, ' ');
  return { number: m ? Number(m[1]) : null, street };
}

/**
 * The walking order: by ZIP code, then street by name; along a street the odd side up and the
 * even side back down (a canvasser does not zigzag across traffic), numberless addresses last;
 * ties broken by the address key, so one set of doors always gives one order.
 */
export function walkOrder<T extends Door>(doors: T[]): T[] {
  const keyed = doors.map((door) => {
    const { number, street } = parseStreet(door.address_lines[0] ?? '');
    const side = number === null ? 2 : number % 2 === 1 ? 0 : 1;
    // Odd side ascending, even side descending.
    const along = number === null ? 0 : side === 0 ? number : -number;
    return { door, zip: door.postal_code ?? '', street, side, along };
  });
  keyed.sort(
    (a, b) =>
      cmp(a.zip, b.zip) ||
      cmp(a.street, b.street) ||
      a.side - b.side ||
      a.along - b.along ||
      cmp(a.door.address_key, b.door.address_key),
  );
  return keyed.map((k) => k.door);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
