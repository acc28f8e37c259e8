import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import type { Kysely } from 'kysely';
import { newId } from '../src/db/ids.js';
import type { DB } from '../src/db/schema.js';
import { addressKey, normalizeBirthdate, normalizeEmail, normalizePhone } from '../src/people/index.js';

export interface BaselineResult {
  rows: number;
  created: number;
  updated: number;
  rejected: number;
  ms: number;
}

/**
 * The naive importer the benchmark compares against, the way classic CRM importers work: one
 * transaction per row, which looks the person up by e-mail, then updates them or inserts the
 * person and each e-mail, phone and address as separate statements. Same validation as the real
 * importer's essentials (a bad e-mail, phone or date rejects the row), so both do the same work.
 */
export async function naiveImport(
  db: Kysely<DB>,
  orgId: string,
  file: string,
  limit: number,
): Promise<BaselineResult> {
  const started = performance.now();
  const result: BaselineResult = { rows: 0, created: 0, updated: 0, rejected: 0, ms: 0 };
  const parser = createReadStream(file).pipe(
    parse({ columns: true, relax_column_count: true, skip_empty_lines: true, to_line: limit + 1 }),
  );
  const ref = `baseline-${newId()}`;
  for await (const row of parser as AsyncIterable<Record<string, string | undefined>>) {
    result.rows++;
    const email = normalizeEmail(row.email ?? '');
    const phone = row.phone ? normalizePhone(row.phone) : null;
    const birthdate = row.birthdate ? normalizeBirthdate(row.birthdate) : null;
    if (!email || (row.phone && !phone) || (row.birthdate && !birthdate) || row.zip === undefined) {
      result.rejected++;
      continue;
    }
    await db.transaction().execute(async (trx) => {
      const found = await trx
        .selectFrom('person_email as e')
        .innerJoin('person as p', 'p.id', 'e.person_id')
        .select(['e.person_id', 'p.given_name', 'p.family_name'])
        .where('e.org_id', '=', orgId)
        .where('e.address', '=', email)
        .where('p.merged_into', 'is', null)
        .executeTakeFirst();
      let personId: string;
      if (found) {
        personId = found.person_id;
        await trx
          .updateTable('person')
          .set({
            given_name: row.first_name ?? null,
            family_name: row.last_name ?? null,
            updated_at: new Date(),
          })
          .where('org_id', '=', orgId)
          .where('id', '=', personId)
          .execute();
        result.updated++;
      } else {
        personId = newId();
        await trx
          .insertInto('person')
          .values({
            org_id: orgId,
            id: personId,
            given_name: row.first_name ?? null,
            family_name: row.last_name ?? null,
            birthdate,
          })
          .execute();
        await trx
          .insertInto('person_email')
          .values({
            org_id: orgId,
            id: newId(),
            person_id: personId,
            address: email,
            is_primary: true,
            source_kind: 'import',
            source_ref: ref,
          })
          .execute();
        result.created++;
      }
      if (phone) {
        await trx
          .insertInto('person_phone')
          .values({
            org_id: orgId,
            id: newId(),
            person_id: personId,
            number: phone,
            is_primary: !found,
            source_kind: 'import',
            source_ref: ref,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
      const lines = row.address ? [row.address] : [];
      const key = addressKey({
        lines,
        locality: row.city,
        region: row.state,
        postal_code: row.zip,
        country: 'US',
      });
      await trx
        .insertInto('person_address')
        .values({
          org_id: orgId,
          id: newId(),
          person_id: personId,
          address_lines: lines,
          locality: row.city ?? null,
          region: row.state ?? null,
          postal_code: row.zip ?? null,
          country: 'US',
          address_key: key,
          is_primary: !found,
          source_kind: 'import',
          source_ref: ref,
        })
        .onConflict((oc) => oc.doNothing())
        .execute();
    });
  }
  result.ms = performance.now() - started;
  return result;
}
