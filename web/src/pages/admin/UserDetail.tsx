import { type FormEvent, useState } from 'react';
import { useLocation } from 'wouter';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { errorText, useApi } from '../../useApi.js';
import { AdminBack } from './AdminBack.js';
import type {
  AdminUnit,
  Assignment,
  AssignmentAddition,
  Binding,
  BindingAddition,
  Preview,
  Role,
  User,
} from './api.js';
import { Explain } from './Explain.js';
import { PreviewPanel } from './Preview.js';
import { roleText } from './Users.js';
import { useReloadable } from './useReload.js';

type Change =
  | { kind: 'add-binding'; binding: BindingAddition }
  | { kind: 'add-assignment'; assignment: AssignmentAddition }
  | { kind: 'revoke-binding'; id: string }
  | { kind: 'remove-assignment'; id: string };

const PEOPLE_ACTIONS = ['people.read', 'people.write', 'person.message', 'person.call'] as const;
const FIELD_CLASSES = ['basic', 'contact', 'status', 'restricted', 'financial'] as const;

/**
 * One user's access: role bindings and assignments, each change previewed (who they would gain and
 * lose) before it is saved; "why can they see this person?"; and viewing the app as them.
 */
export function UserDetail({ id }: { id: string }) {
  const { t } = useI18n();
  const { me, viewAs } = useSession();
  const [, navigate] = useLocation();
  const users = useApi<{ items: User[] }>(me?.actions.includes('users.manage') ? '/api/v1/users' : null);
  const user = users.state === 'ok' ? users.data.items.find((u) => u.id === id) : undefined;
  const email = user?.email ?? id;
  const [bindings, reloadBindings] = useReloadable<{ items: Binding[] }>(`/api/v1/role-bindings?user=${id}`);
  const [assignments, reloadAssignments] = useReloadable<{ items: Assignment[] }>(
    `/api/v1/assignments?user=${id}`,
  );
  const roles = useApi<{ items: Role[] }>('/api/v1/roles');
  const units = useApi<{ items: AdminUnit[] }>('/api/v1/units');
  const lists = useApi<{ items: { id: string; name: string }[] }>(
    me?.actions.includes('lists.read') ? '/api/v1/lists?per_page=100' : null,
  );
  const searches = useApi<{ items: { id: string; name: string }[] }>(
    me?.actions.includes('people.read') ? '/api/v1/saved-searches?per_page=100' : null,
  );

  const [pending, setPending] = useState<Change | null>(null);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const ask = async (change: Change) => {
    setError(null);
    setDone(null);
    setPreview(null);
    setPending(change);
    const body =
      change.kind === 'add-binding'
        ? { user_id: id, add: { binding: change.binding } }
        : change.kind === 'add-assignment'
          ? { user_id: id, add: { assignment: change.assignment } }
          : change.kind === 'revoke-binding'
            ? { user_id: id, remove: { binding_id: change.id } }
            : { user_id: id, remove: { assignment_id: change.id } };
    try {
      setPreview(await api<Preview>('POST', '/api/v1/access/preview', body));
    } catch (caught) {
      setPending(null);
      setError(errorText(caught as Error, t('app.offline')));
    }
  };

  const save = async () => {
    if (!pending) return;
    setBusy(true);
    setError(null);
    try {
      if (pending.kind === 'add-binding')
        await api('POST', '/api/v1/role-bindings', { user_id: id, ...pending.binding });
      else if (pending.kind === 'add-assignment')
        await api('POST', '/api/v1/assignments', { user_id: id, ...pending.assignment });
      else if (pending.kind === 'revoke-binding') await api('DELETE', `/api/v1/role-bindings/${pending.id}`);
      else await api('DELETE', `/api/v1/assignments/${pending.id}`);
      setDone(t(pending.kind.startsWith('add') ? 'admin.saved' : 'admin.revoked'));
      setPending(null);
      setPreview(null);
      reloadBindings();
      reloadAssignments();
    } catch (caught) {
      setError(errorText(caught as Error, t('app.offline')));
    } finally {
      setBusy(false);
    }
  };

  const startViewAs = async () => {
    await viewAs({ id, email });
    navigate('~/people');
  };

  return (
    <>
      <AdminBack />
      <h1>{user?.display_name ?? email}</h1>
      {user && <p className="hint">{user.email}</p>}
      <p>
        <button type="button" className="secondary" onClick={startViewAs} disabled={user?.disabled}>
          {t('admin.viewAs', { email })}
        </button>
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {done && (
        <p className="notice" role="status">
          {done}
        </p>
      )}

      <section className="card" aria-labelledby="h-bindings">
        <h2 id="h-bindings">{t('admin.bindings')}</h2>
        {bindings.state === 'ok' && bindings.data.items.length === 0 && <p>{t('admin.noBindings')}</p>}
        <ul className="grants">
          {(bindings.state === 'ok' ? bindings.data.items : []).map((b) => (
            <li key={b.binding_id}>
              <span>{roleText(t, b.role, b.unit)}</span>
              {b.expires_at && (
                <span className="hint"> {t('admin.expires', { date: b.expires_at.slice(0, 10) })}</span>
              )}{' '}
              <button
                type="button"
                className="secondary small"
                aria-label={t('admin.revokeBinding', { grant: roleText(t, b.role, b.unit) })}
                onClick={() => ask({ kind: 'revoke-binding', id: b.binding_id })}
              >
                {t('admin.revoke')}
              </button>
            </li>
          ))}
        </ul>
        <BindingForm
          roles={roles.state === 'ok' ? roles.data.items : []}
          units={units.state === 'ok' ? units.data.items : []}
          onPreview={(binding) => ask({ kind: 'add-binding', binding })}
        />
      </section>

      <section className="card" aria-labelledby="h-assignments">
        <h2 id="h-assignments">{t('admin.assignments')}</h2>
        {assignments.state === 'ok' && assignments.data.items.length === 0 && (
          <p>{t('admin.noAssignments')}</p>
        )}
        <ul className="grants">
          {(assignments.state === 'ok' ? assignments.data.items : []).map((a) => {
            const target =
              [
                ...(lists.state === 'ok' ? lists.data.items : []),
                ...(searches.state === 'ok' ? searches.data.items : []),
              ].find((x) => x.id === a.target_id)?.name ?? a.target_id;
            const text = t('admin.assignmentText', {
              target,
              actions: a.actions.join(', '),
              classes: [...a.field_classes, ...a.fields].join(', ') || t('admin.nothing'),
            });
            return (
              <li key={a.id}>
                <span>{text}</span>{' '}
                <button
                  type="button"
                  className="secondary small"
                  aria-label={t('admin.removeAssignment', { target })}
                  onClick={() => ask({ kind: 'remove-assignment', id: a.id })}
                >
                  {t('admin.revoke')}
                </button>
              </li>
            );
          })}
        </ul>
        <AssignmentForm
          lists={lists.state === 'ok' ? lists.data.items : []}
          searches={searches.state === 'ok' ? searches.data.items : []}
          onPreview={(assignment) => ask({ kind: 'add-assignment', assignment })}
        />
      </section>

      {preview && pending && (
        <section className="card pending" aria-labelledby="h-pending">
          <h2 id="h-pending">{t('admin.confirmTitle')}</h2>
          <PreviewPanel preview={preview} />
          <div className="actions">
            <button type="button" onClick={save} disabled={busy}>
              {pending.kind.startsWith('add') ? t('admin.saveChange') : t('admin.confirmRevoke')}
            </button>
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setPending(null);
                setPreview(null);
              }}
            >
              {t('admin.cancel')}
            </button>
          </div>
        </section>
      )}

      <Explain userId={id} email={email} />
    </>
  );
}

function BindingForm({
  roles,
  units,
  onPreview,
}: {
  roles: Role[];
  units: AdminUnit[];
  onPreview: (binding: BindingAddition) => void;
}) {
  const { t } = useI18n();
  const [role, setRole] = useState('');
  const [unit, setUnit] = useState('');
  const [expires, setExpires] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onPreview({
      role,
      unit: unit || null,
      expires_at: expires ? new Date(`${expires}T23:59:59Z`).toISOString() : null,
    });
  };
  return (
    <form onSubmit={submit} aria-labelledby="h-add-binding">
      <h3 id="h-add-binding">{t('admin.addBinding')}</h3>
      <div className="field">
        <label htmlFor="binding-role">{t('admin.role')}</label>
        <select id="binding-role" required value={role} onChange={(e) => setRole(e.target.value)}>
          <option value="">{t('admin.choose')}</option>
          {roles.map((r) => (
            <option key={r.key} value={r.key}>
              {r.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="binding-unit">{t('admin.over')}</label>
        <select id="binding-unit" value={unit} onChange={(e) => setUnit(e.target.value)}>
          <option value="">{t('admin.wholeOrg')}</option>
          {units.map((u) => (
            <option key={u.id} value={u.path}>
              {u.path}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="binding-expires">{t('admin.expiresOn')}</label>
        <input
          id="binding-expires"
          type="date"
          value={expires}
          onChange={(e) => setExpires(e.target.value)}
        />
      </div>
      <button type="submit">{t('admin.preview')}</button>
    </form>
  );
}

function AssignmentForm({
  lists,
  searches,
  onPreview,
}: {
  lists: { id: string; name: string }[];
  searches: { id: string; name: string }[];
  onPreview: (assignment: AssignmentAddition) => void;
}) {
  const { t } = useI18n();
  const [target, setTarget] = useState('');
  const [actions, setActions] = useState<string[]>(['people.read', 'person.message']);
  const [classes, setClasses] = useState<string[]>(['basic']);
  const toggle = (set: typeof setActions, value: string) =>
    set((xs) => (xs.includes(value) ? xs.filter((x) => x !== value) : [...xs, value]));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [kind, targetId] = target.split(':') as ['list' | 'saved_search', string];
    onPreview({ target_kind: kind, target_id: targetId, actions, field_classes: classes });
  };
  return (
    <form onSubmit={submit} aria-labelledby="h-add-assignment">
      <h3 id="h-add-assignment">{t('admin.addAssignment')}</h3>
      <div className="field">
        <label htmlFor="assignment-target">{t('admin.target')}</label>
        <select id="assignment-target" required value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">{t('admin.choose')}</option>
          {lists.length > 0 && (
            <optgroup label={t('search.list')}>
              {lists.map((l) => (
                <option key={l.id} value={`list:${l.id}`}>
                  {l.name}
                </option>
              ))}
            </optgroup>
          )}
          {searches.length > 0 && (
            <optgroup label={t('admin.savedSearch')}>
              {searches.map((s) => (
                <option key={s.id} value={`saved_search:${s.id}`}>
                  {s.name}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </div>
      <fieldset>
        <legend>{t('admin.actions')}</legend>
        {PEOPLE_ACTIONS.map((a) => (
          <label key={a} className="check">
            <input type="checkbox" checked={actions.includes(a)} onChange={() => toggle(setActions, a)} /> {a}
          </label>
        ))}
      </fieldset>
      <fieldset>
        <legend>{t('admin.fieldClasses')}</legend>
        {FIELD_CLASSES.map((c) => (
          <label key={c} className="check">
            <input type="checkbox" checked={classes.includes(c)} onChange={() => toggle(setClasses, c)} /> {c}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={actions.length === 0}>
        {t('admin.preview')}
      </button>
    </form>
  );
}
