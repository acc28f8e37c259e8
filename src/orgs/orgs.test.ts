import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import type { Database } from '../db/connect.js';
import { countOrgs, createOrg, findOrgBySlug } from './orgs.service.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

describe('organizations', () => {
  it('are created with a name and a slug, and found by the slug', async () => {
    expect(await countOrgs(database.db)).toBe(0);
    const org = await createOrg(database.db, { name: '  Eastside Tenants Union ', slug: 'eastside' });
    expect(org).toMatchObject({ name: 'Eastside Tenants Union', slug: 'eastside' });
    expect(await findOrgBySlug(database.db, 'eastside')).toEqual(org);
    expect(await countOrgs(database.db)).toBe(1);
  });

  it('refuse a taken slug, a malformed slug and an empty name, naming the field', async () => {
    await expect(createOrg(database.db, { name: 'Other', slug: 'eastside' })).rejects.toMatchObject({
      code: 'conflict',
      fields: [{ field: 'slug' }],
    });
    for (const slug of ['East Side', '-east', 'e', 'ÉST']) {
      await expect(createOrg(database.db, { name: 'X', slug }), slug).rejects.toMatchObject({
        code: 'validation_failed',
        fields: [{ field: 'slug' }],
      });
    }
    await expect(createOrg(database.db, { name: ' ', slug: 'blank' })).rejects.toMatchObject({
      fields: [{ field: 'name' }],
    });
  });

  it('answer not found for an unknown slug', async () => {
    await expect(findOrgBySlug(database.db, 'nowhere')).rejects.toMatchObject({ code: 'not_found' });
  });
});
