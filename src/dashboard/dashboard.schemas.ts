import { z } from 'zod';

/** Wire contracts of the dashboard (the OpenAPI document reads them). */

export const DashboardQuery = z.object({
  weeks: z.coerce
    .number()
    .int()
    .min(1)
    .max(52)
    .default(12)
    .describe('The period: this many weeks, this one last'),
  events: z.coerce.number().int().min(1).max(20).default(6).describe('How many recent events'),
});
export type DashboardQuery = z.infer<typeof DashboardQuery>;

export const DashboardView = z
  .object({
    period: z.object({
      since: z.date().describe('Monday 00:00 UTC of the first week'),
      until: z.date().describe('Now'),
      weeks: z.number().int(),
    }),
    people: z.object({
      total: z.number().int().describe('People you may count'),
      new_per_week: z.array(
        z.object({ week: z.date().describe('Monday 00:00 UTC'), count: z.number().int() }),
      ),
    }),
    ladders: z
      .array(
        z.object({
          id: z.string(),
          name: z.string(),
          up: z.number().int(),
          down: z.number().int(),
          onto: z.number().int().describe('First assessed on this ladder in the period'),
        }),
      )
      .describe(
        'Movement in the period among people you may count: level at its end against the one before it',
      ),
    events: z
      .array(
        z.object({
          id: z.string(),
          title: z.string(),
          starts_at: z.date(),
          rsvps: z.number().int().describe('RSVPs not cancelled (walk-ins apart), of people you may count'),
          attended: z.number().int().describe('Checked in as attended, walk-ins included'),
        }),
      )
      .describe('Events you may read that started in the period, newest first'),
    follow_ups: z.object({
      mine_due_soon: z.number().int().describe('Yours, open, due in the next 7 days'),
      mine_overdue: z.number().int().describe('Yours, open, past due'),
      overdue: z.number().int().describe('Anyone’s open and past due, about people you may count'),
    }),
  })
  .meta({ id: 'Dashboard' });
export type DashboardView = z.infer<typeof DashboardView>;
