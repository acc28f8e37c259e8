import { Link } from 'wouter';
import type { Me } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import './nav.css';

const has = (me: Me | null | undefined, action: string) => !!me?.actions?.includes(action);

/** Turf managers see every walk list of their turf; canvassers see the ones they are assigned. */
export const mayWalk = (me: Me | null | undefined) =>
  has(me, 'turf.manage') || (me?.assignments?.walk_lists ?? 0) > 0;
/** Call-list managers see every call list and the phone trees; callers see their lists. */
export const mayManageCalls = (me: Me | null | undefined) => has(me, 'calls.manage');
export const mayCall = (me: Me | null | undefined) =>
  mayManageCalls(me) || (me?.assignments?.call_lists ?? 0) > 0;

/** The field links of the main navigation, for users who have the actions or the assignments. */
export function FieldNav({ current }: { current: (path: string) => boolean }) {
  const { t } = useI18n();
  const { me } = useSession();
  const page = (path: string) => (current(path) ? ('page' as const) : undefined);
  return (
    <>
      {mayWalk(me) && (
        <li>
          <Link href="/walk" aria-current={page('/walk')}>
            {t('field.nav.walk')}
          </Link>
        </li>
      )}
      {mayCall(me) && (
        <li>
          <Link href="/call" aria-current={page('/call') || page('/phone-trees')}>
            {t('field.nav.call')}
          </Link>
        </li>
      )}
    </>
  );
}
