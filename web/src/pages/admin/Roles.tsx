import { type FormEvent, useState } from 'react';
import { api } from '../../api.js';
import type { MessageKey } from '../../i18n/en.js';
import { useI18n } from '../../i18n/index.js';
import { errorText, useApi } from '../../useApi.js';
import { AdminBack } from './AdminBack.js';
import { ACTION_GROUPS, FIELD_CLASSES, type Role, type RolePreview } from './api.js';
import { PreviewPanel } from './Preview.js';

type Draft = { key: string; name: string; actions: string[]; field_classes: string[] };
/** A role being written: new (no key yet chosen by the API) or an existing custom role. */
type Editing = { mode: 'new' } | { mode: 'edit'; role: Role };

const actionLabel = (action: string) => `admin.act.${action}` as MessageKey;
const classLabel = (fieldClass: string) => `admin.class.${fieldClass}` as MessageKey;

/**
 * Built-in and custom roles: the actions each gives and the field classes it shows. Custom roles
 * are created, edited (after a preview of what every holder would gain and lose) and deleted
 * (the API refuses while someone holds one); built-in roles are shown read-only.
 */
export function Roles() {
  const { t } = useI18n();
  const [round, setRound] = useState(0);
  const loaded = useApi<{ items: Role[] }>(`/api/v1/roles?_=${round}`);
  const [editing, setEditing] = useState<Editing | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const done = (text: string) => {
    setMessage(text);
    setFailure(null);
    setEditing(null);
    setRound((r) => r + 1);
  };
  const remove = async (role: Role) => {
    setMessage(null);
    setFailure(null);
    if (!window.confirm(t('admin.roleDeleteConfirm', { name: role.name }))) return;
    try {
      await api('DELETE', `/api/v1/roles/${encodeURIComponent(role.key)}`);
      done(t('admin.roleDeleted', { name: role.name }));
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
    }
  };
  return (
    <>
      <AdminBack />
      <h1>{t('admin.roles')}</h1>
      <p className="hint">{t('admin.rolesHelp')}</p>
      <div aria-live="polite">
        {message && (
          <p className="notice" role="status">
            {message}
          </p>
        )}
      </div>
      {failure && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      {editing === null && (
        <div className="actions">
          <button type="button" onClick={() => setEditing({ mode: 'new' })}>
            {t('admin.roleNew')}
          </button>
        </div>
      )}
      {editing?.mode === 'new' && (
        <RoleEditor editing={editing} onCancel={() => setEditing(null)} onSaved={done} />
      )}
      {loaded.state === 'loading' && (
        <p role="status" className="loading">
          {t('app.loading')}
        </p>
      )}
      {loaded.state === 'error' && (
        <p className="error" role="alert">
          {errorText(loaded.error, t('app.offline'))}
        </p>
      )}
      {loaded.state === 'ok' &&
        loaded.data.items.map((role) =>
          editing?.mode === 'edit' && editing.role.key === role.key ? (
            <RoleEditor key={role.id} editing={editing} onCancel={() => setEditing(null)} onSaved={done} />
          ) : (
            <section key={role.id} className="card" aria-labelledby={`role-${role.key}`} data-role={role.key}>
              <h2 id={`role-${role.key}`}>
                {role.name} <code>{role.key}</code>{' '}
                <span className="badge">{t(role.builtin ? 'admin.builtin' : 'admin.custom')}</span>
              </h2>
              <dl>
                <div>
                  <dt>{t('admin.actions')}</dt>
                  <dd>
                    <ul className="tags">
                      {role.actions.map((a) => (
                        <li key={a} title={a}>
                          {t(actionLabel(a))}
                        </li>
                      ))}
                    </ul>
                  </dd>
                </div>
                <div>
                  <dt>{t('admin.fieldClasses')}</dt>
                  <dd>
                    {role.field_classes.length === 0 ? (
                      t('admin.noFieldClasses')
                    ) : (
                      <ul className="tags">
                        {role.field_classes.map((c) => (
                          <li key={c}>{t(classLabel(c))}</li>
                        ))}
                      </ul>
                    )}
                  </dd>
                </div>
              </dl>
              {role.builtin ? (
                <p className="hint">{t('admin.roleBuiltinReadOnly')}</p>
              ) : (
                editing === null && (
                  <div className="actions">
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t('admin.roleEditThis', { name: role.name })}
                      onClick={() => {
                        setMessage(null);
                        setEditing({ mode: 'edit', role });
                      }}
                    >
                      {t('admin.roleEdit')}
                    </button>
                    <button
                      type="button"
                      className="secondary danger"
                      aria-label={t('admin.roleDeleteThis', { name: role.name })}
                      onClick={() => remove(role)}
                    >
                      {t('admin.roleDelete')}
                    </button>
                  </div>
                )
              )}
            </section>
          ),
        )}
    </>
  );
}

/** The form for a new or custom role; saving goes through a preview of what it changes. */
function RoleEditor(props: { editing: Editing; onCancel: () => void; onSaved: (message: string) => void }) {
  const { t } = useI18n();
  const existing = props.editing.mode === 'edit' ? props.editing.role : null;
  const [draft, setDraft] = useState<Draft>(
    existing
      ? {
          key: existing.key,
          name: existing.name,
          actions: existing.actions,
          field_classes: existing.field_classes,
        }
      : { key: '', name: '', actions: [], field_classes: [] },
  );
  const [preview, setPreview] = useState<RolePreview | null>(null);
  const [checked, setChecked] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const change = (next: Partial<Draft>) => {
    setDraft({ ...draft, ...next });
    setChecked(false);
    setPreview(null);
  };
  const toggle = (list: string[], value: string) =>
    list.includes(value) ? list.filter((x) => x !== value) : [...list, value];
  const body = { name: draft.name.trim(), actions: draft.actions, field_classes: draft.field_classes };

  const check = async (e: FormEvent) => {
    e.preventDefault();
    setFailure(null);
    setBusy(true);
    try {
      if (existing)
        setPreview(
          await api<RolePreview>('POST', `/api/v1/roles/${encodeURIComponent(existing.key)}/preview`, body),
        );
      setChecked(true);
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
    } finally {
      setBusy(false);
    }
  };
  const save = async () => {
    setFailure(null);
    setBusy(true);
    try {
      if (existing) await api('PATCH', `/api/v1/roles/${encodeURIComponent(existing.key)}`, body);
      else await api('POST', '/api/v1/roles', { ...body, key: draft.key.trim() });
      props.onSaved(t(existing ? 'admin.roleSaved' : 'admin.roleCreated', { name: body.name }));
    } catch (error) {
      setFailure(errorText(error as Error, t('app.offline')));
      setChecked(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card role-editor" aria-labelledby="h-role-editor">
      <h2 id="h-role-editor">
        {existing ? t('admin.roleEditTitle', { name: existing.name }) : t('admin.roleNew')}
      </h2>
      <form onSubmit={check}>
        <div className="field">
          <label htmlFor="role-name">{t('admin.roleName')}</label>
          <input
            id="role-name"
            required
            maxLength={200}
            autoComplete="off"
            value={draft.name}
            onChange={(e) => change({ name: e.target.value })}
          />
        </div>
        {!existing && (
          <div className="field">
            <label htmlFor="role-key">{t('admin.roleKey')}</label>
            <input
              id="role-key"
              required
              pattern="[a-z][a-z0-9_]{1,62}"
              autoComplete="off"
              value={draft.key}
              onChange={(e) => change({ key: e.target.value })}
              aria-describedby="role-key-hint"
            />
            <p className="hint" id="role-key-hint">
              {t('admin.roleKeyHint')}
            </p>
          </div>
        )}
        {ACTION_GROUPS.map((group) => (
          <fieldset key={group.key} className="choices">
            <legend>{t(`admin.actGroup.${group.key}` as MessageKey)}</legend>
            {group.actions.map((action) => (
              <label key={action} className="choice">
                <input
                  type="checkbox"
                  name="actions"
                  value={action}
                  checked={draft.actions.includes(action)}
                  onChange={() => change({ actions: toggle(draft.actions, action) })}
                />{' '}
                {t(actionLabel(action))}
              </label>
            ))}
          </fieldset>
        ))}
        <fieldset className="choices">
          <legend>{t('admin.roleFieldClassesLegend')}</legend>
          {FIELD_CLASSES.map((fieldClass) => (
            <label key={fieldClass} className="choice">
              <input
                type="checkbox"
                name="field_classes"
                value={fieldClass}
                checked={draft.field_classes.includes(fieldClass)}
                onChange={() => change({ field_classes: toggle(draft.field_classes, fieldClass) })}
              />{' '}
              {t(classLabel(fieldClass))}
            </label>
          ))}
        </fieldset>
        {failure && (
          <p className="error" role="alert">
            {failure}
          </p>
        )}
        <div className="actions">
          <button type="submit" disabled={busy}>
            {t('admin.preview')}
          </button>
          <button type="button" className="secondary" onClick={props.onCancel}>
            {t('admin.cancel')}
          </button>
        </div>
      </form>
      {checked && (
        <section className="pending" aria-labelledby="h-role-check">
          <h3 id="h-role-check">{t('admin.confirmTitle')}</h3>
          {preview === null ? (
            <p>{t('admin.roleNewPreview', { count: draft.actions.length })}</p>
          ) : preview.total_users === 0 ? (
            <p>{t('admin.roleNobody')}</p>
          ) : (
            <>
              <p>{t('admin.roleHolders', { count: preview.total_users, shown: preview.users.length })}</p>
              {preview.users.map((u) => (
                <PreviewPanel key={u.user.id} preview={{ ...u, add: null, remove: null }} />
              ))}
            </>
          )}
          <div className="actions">
            <button type="button" onClick={save} disabled={busy}>
              {t('admin.saveChange')}
            </button>
          </div>
        </section>
      )}
    </section>
  );
}
