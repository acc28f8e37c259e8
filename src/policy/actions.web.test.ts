import { describe, expect, it } from 'vitest';
import { ACTION_GROUPS, FIELD_CLASSES as WEB_FIELD_CLASSES } from '../../web/src/pages/admin/api.js';
import { ACTIONS, FIELD_CLASSES } from './actions.js';

// The role form in the web app lists the actions in groups of its own: a new action must appear
// there too, or an admin could never give it from the screen.
describe('the role form’s actions', () => {
  it('offers every canonical action exactly once, and nothing else', () => {
    const offered = ACTION_GROUPS.flatMap((g) => g.actions);
    expect(new Set(offered).size).toBe(offered.length);
    expect([...offered].sort()).toEqual([...ACTIONS].sort());
  });

  it('offers the canonical field classes', () => {
    expect([...WEB_FIELD_CLASSES]).toEqual([...FIELD_CLASSES]);
  });
});
