import { type FormEvent, useState } from 'react';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { errorText } from '../../useApi.js';
import { AdminBack } from './AdminBack.js';
import { type AdminUnit, UNIT_KINDS } from './api.js';
import { useReloadable } from './useReload.js';

/** The unit tree: each unit indented under its parent; add a unit under any other; rename one. */
export function Units() {
  const { t } = useI18n();
  const [loaded, reload] = useReloadable<{ items: AdminUnit[] }>('/api/v1/units');
  const units = loaded.state === 'ok' ? loaded.data.items : [];
  const [parent, setParent] = useState('');
  const [label, setLabel] = useState('');
  const [name, setName] = useState('');
  const [kind, setKind] = useState<AdminUnit['kind']>('local');
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);

  const add = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setDone(null);
    const path = parent ? `${parent}.${label.trim()}` : label.trim();
    try {
      await api('POST', '/api/v1/units', { path, name: name.trim(), kind });
      setLabel('');
      setName('');
      setDone(t('admin.unitAdded', { path }));
      reload();
    } catch (caught) {
      setError(errorText(caught as Error, t('app.offline')));
    }
  };

  return (
    <>
      <AdminBack />
      <h1>{t('admin.units')}</h1>
      {loaded.state === 'error' && (
        <p className="error" role="alert">
          {errorText(loaded.error, t('app.offline'))}
        </p>
      )}
      {loaded.state === 'ok' && units.length === 0 && <p>{t('admin.noUnits')}</p>}
      <ul className="tree" aria-label={t('admin.units')}>
        {units.map((unit) => (
          <UnitRow key={unit.id} unit={unit} onRenamed={reload} />
        ))}
      </ul>

      <form className="card" onSubmit={add} aria-labelledby="h-add-unit">
        <h2 id="h-add-unit">{t('admin.addUnit')}</h2>
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
        <div className="field">
          <label htmlFor="unit-parent">{t('admin.unitParent')}</label>
          <select id="unit-parent" value={parent} onChange={(e) => setParent(e.target.value)}>
            <option value="">{t('admin.unitRoot')}</option>
            {units.map((u) => (
              <option key={u.id} value={u.path}>
                {u.path}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="unit-label">{t('admin.unitLabel')}</label>
          <input
            id="unit-label"
            required
            pattern="[a-z0-9_]{1,63}"
            aria-describedby="unit-label-hint"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
          />
          <p className="hint" id="unit-label-hint">
            {t('admin.unitLabelHint')}
          </p>
        </div>
        <div className="field">
          <label htmlFor="unit-name">{t('admin.unitName')}</label>
          <input id="unit-name" required value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor="unit-kind">{t('admin.unitKind')}</label>
          <select id="unit-kind" value={kind} onChange={(e) => setKind(e.target.value as AdminUnit['kind'])}>
            {UNIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`admin.kind.${k}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit">{t('admin.addUnit')}</button>
      </form>
    </>
  );
}

function UnitRow({ unit, onRenamed }: { unit: AdminUnit; onRenamed: () => void }) {
  const { t } = useI18n();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(unit.name);
  const [error, setError] = useState<string | null>(null);
  const depth = unit.path.split('.').length - 1;

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      await api('PATCH', `/api/v1/units/${unit.id}`, { name: name.trim() });
      setEditing(false);
      onRenamed();
    } catch (caught) {
      setError(errorText(caught as Error, t('app.offline')));
    }
  };

  return (
    <li className={`depth-${Math.min(depth, 5)}`}>
      {editing ? (
        <form className="inline" onSubmit={save}>
          <label htmlFor={`rename-${unit.id}`}>{t('admin.renameLabel', { path: unit.path })}</label>
          <input id={`rename-${unit.id}`} required value={name} onChange={(e) => setName(e.target.value)} />
          <button type="submit">{t('admin.save')}</button>
          <button type="button" className="secondary" onClick={() => setEditing(false)}>
            {t('admin.cancel')}
          </button>
          {error && (
            <span className="error" role="alert">
              {error}
            </span>
          )}
        </form>
      ) : (
        <>
          <span className="unit-name">{unit.name}</span> <code>{unit.path}</code>{' '}
          <span className="badge">{t(`admin.kind.${unit.kind}`)}</span>{' '}
          <button
            type="button"
            className="secondary small"
            aria-label={t('admin.renameUnit', { name: unit.name })}
            onClick={() => setEditing(true)}
          >
            {t('admin.rename')}
          </button>
        </>
      )}
    </li>
  );
}
