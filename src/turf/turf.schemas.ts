import { z } from 'zod';
import { AnswerInput } from '../calling/index.js';

const Lon = z.number().min(-180).max(180);
const Lat = z.number().min(-90).max(90);
const Position = z.tuple([Lon, Lat]).rest(z.number());
/** A closed linear ring (RFC 7946: four or more positions, the first equal to the last). */
const Ring = z
  .array(Position)
  .min(4)
  .max(10000)
  .refine((r) => r[0]?.[0] === r.at(-1)?.[0] && r[0]?.[1] === r.at(-1)?.[1], 'a ring must be closed');
const PolygonRings = z.array(Ring).min(1).max(100);

export const Geometry = z.discriminatedUnion('type', [
  z.object({ type: z.literal('Polygon'), coordinates: PolygonRings }),
  z.object({ type: z.literal('MultiPolygon'), coordinates: z.array(PolygonRings).min(1).max(100) }),
]);

const Zip = z.string().regex(/^\d{5}$/, 'a five-digit US ZIP code');

export const TurfInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    unit_id: z.uuid().describe('The unit that owns the turf'),
    geometry: Geometry.optional().describe('A GeoJSON Polygon or MultiPolygon ([lon, lat])'),
    zip_codes: z.array(Zip).min(1).max(500).optional().describe('...or a set of ZIP codes'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if ((v.geometry === undefined) === (v.zip_codes === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['geometry'],
        message: 'give exactly one of geometry or zip_codes',
      });
  });
export type TurfInput = z.input<typeof TurfInput>;

/** A turf's changes: any of name, unit and shape; a new shape is a geometry or ZIP codes, not both. */
export const TurfPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    unit_id: z.uuid().optional().describe('Move the turf to another unit you manage turf in'),
    geometry: Geometry.optional().describe('A new GeoJSON Polygon or MultiPolygon (replaces ZIP codes)'),
    zip_codes: z
      .array(Zip)
      .min(1)
      .max(500)
      .optional()
      .describe('...or a new set of ZIP codes (replaces the geometry)'),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.geometry !== undefined && v.zip_codes !== undefined)
      ctx.addIssue({
        code: 'custom',
        path: ['geometry'],
        message: 'give at most one of geometry or zip_codes',
      });
    if (Object.values(v).every((value) => value === undefined))
      ctx.addIssue({
        code: 'custom',
        path: ['name'],
        message: 'give at least one of name, unit_id, geometry or zip_codes',
      });
  });
export type TurfPatch = z.input<typeof TurfPatch>;

export const TurfView = z.object({
  id: z.uuid(),
  name: z.string(),
  unit_id: z.uuid(),
  geometry: Geometry.nullable(),
  zip_codes: z.array(z.string()),
  created_at: z.date(),
  updated_at: z.date(),
});
export type TurfView = z.infer<typeof TurfView>;

export const TurfPeopleView = z.object({
  /** People inside the turf the reader may read, with their street address. */
  total: z.number(),
  /** How many were placed by their ZIP code's centroid (no coordinates on the address). */
  by_zip_centroid: z.number(),
  households: z.number(),
  people: z.array(z.object({ person_id: z.uuid(), address_key: z.string() })),
});
export type TurfPeopleView = z.infer<typeof TurfPeopleView>;

export const WalkListInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    turf_id: z.uuid(),
    survey_id: z.uuid().nullable().optional().describe('The survey asked at the door'),
  })
  .strict();
export type WalkListInput = z.input<typeof WalkListInput>;

export const CanvasserInput = z.object({ user_id: z.uuid() }).strict();

export const DOOR_RESULTS = ['talked', 'not_home', 'moved', 'refused'] as const;

export const DoorInput = z
  .object({
    result: z.enum(DOOR_RESULTS),
    note: z.string().trim().max(5000).nullable().optional(),
    /** Answers of the people who answered the door (result talked); everyone at the door gets the knock. */
    answers: z
      .array(z.object({ person_id: z.uuid(), answers: z.array(AnswerInput).min(1).max(100) }).strict())
      .max(50)
      .default([]),
  })
  .strict();
export type DoorInput = z.input<typeof DoorInput>;

export const DoorView = z.object({
  id: z.uuid(),
  position: z.number(),
  /** The door's address, shown when the reader may read a resident's street address. */
  address: z
    .object({
      lines: z.array(z.string()),
      locality: z.string().nullable(),
      postal_code: z.string().nullable(),
      latitude: z.number().nullable(),
      longitude: z.number().nullable(),
    })
    .optional(),
  status: z.enum(['pending', 'done']),
  last_result: z.enum(DOOR_RESULTS).nullable(),
  /** The residents as the reader may see them (a canvasser: first name and street address). */
  people: z.array(z.record(z.string(), z.unknown())),
});
export type DoorView = z.infer<typeof DoorView>;

export const WalkListView = z.object({
  id: z.uuid(),
  name: z.string(),
  turf_id: z.uuid(),
  survey_id: z.uuid().nullable(),
  list_id: z.uuid(),
  status: z.enum(['open', 'closed']),
  created_at: z.date(),
  canvassers: z.array(z.object({ user_id: z.uuid(), assignment_id: z.uuid().nullable() })),
  progress: z.object({ doors: z.number(), done: z.number(), people: z.number() }),
});
export type WalkListView = z.infer<typeof WalkListView>;

export const WalkSheetView = WalkListView.extend({ doors: z.array(DoorView) });
export type WalkSheetView = z.infer<typeof WalkSheetView>;

export const DoorResultView = z.object({
  door: DoorView.omit({ people: true, address: true }),
  activities: z.array(z.object({ id: z.uuid(), person_id: z.uuid() })),
  answers: z.number(),
});
export type DoorResultView = z.infer<typeof DoorResultView>;
