import { type FormEvent, useEffect, useId, useState } from 'react';
import { Link, useLocation } from 'wouter';
import { api } from '../../api.js';
import { useI18n } from '../../i18n/index.js';
import { useSession } from '../../session.js';
import { can, GROUPING_PATHS, type GroupingKind, type GroupingView, type Member, refName } from './api.js';
import { failure, useLoaded, usePaged } from './hooks.js';
import { PersonPicker, type Picked } from './PersonPicker.js';
import './organizing.css';

/** Lists (or tags): browse them with how many of their people the user may see; create one. */
export function GroupingsPage({ kind }: { kind: GroupingKind }) {
  const { t, tn } = useI18n();
  const { me } = useSession();
  const paths = GROUPING_PATHS[kind];
  const [, navigate] = useLocation();
  const [version, setVersion] = useState(0);
  const { items, total, error, more } = usePaged<GroupingView>(`/api/v1/${paths.plural}`, version);
  const title = t(kind === 'list' ? 'groupings.lists' : 'groupings.tags');

  useEffect(() => {
    document.title = `${title} · ${t('app.name')}`;
  }, [t, title]);

  return (
    <div className="organizing">
      <h1>{title}</h1>
      {can(me, paths.write) && (
        <CreateGrouping
          kind={kind}
          onCreated={(created) => {
            setVersion((v) => v + 1);
            navigate(`/${paths.plural}/${created.id}`);
          }}
        />
      )}
      <p role="status" className="count">
        {total === null && !error
          ? t('app.loading')
          : total !== null && tn(kind === 'list' ? 'groupings.listCount' : 'groupings.tagCount', total)}
      </p>
      {error !== null && (
        <p className="error" role="alert">
          {t('app.error', { detail: failure(error, t('app.offline')) })}
        </p>
      )}
      {items.length > 0 && (
        <ul className="groupings">
          {items.map((g) => (
            <li key={g.id}>
              <Link href={`/${paths.plural}/${g.id}`} className="person-link">
                {g.name}
              </Link>
              <span className="unit">{tn('groupings.members', g.total_members)}</span>
            </li>
          ))}
        </ul>
      )}
      {total !== null && items.length < total && (
        <button type="button" className="secondary" onClick={more}>
          {t('person.more')}
        </button>
      )}
    </div>
  );
}

function CreateGrouping(props: { kind: GroupingKind; onCreated: (g: GroupingView) => void }) {
  const { t } = useI18n();
  const id = useId();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setError(t('groupings.needName'));
    setBusy(true);
    setError(null);
    try {
      const created = await api<GroupingView>('POST', `/api/v1/${GROUPING_PATHS[props.kind].plural}`, {
        name: name.trim(),
      });
      setName('');
      props.onCreated(created);
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="inline-form card" onSubmit={submit} noValidate>
      <div className="field grow">
        <label htmlFor={`${id}-name`}>
          {t(props.kind === 'list' ? 'groupings.newList' : 'groupings.newTag')}
        </label>
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} autoComplete="off" />
      </div>
      <button type="submit" disabled={busy}>
        {t('groupings.create')}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

/**
 * One list (or tag): its name (renamed in place), its people the user may see (the count is of
 * the same people), adding someone by name and removing them.
 */
export function GroupingPage({ kind, id }: { kind: GroupingKind; id: string }) {
  const { t, tn } = useI18n();
  const { me } = useSession();
  const paths = GROUPING_PATHS[kind];
  const mayWrite = can(me, paths.write);
  const [version, setVersion] = useState(0);
  const base = `/api/v1/${paths.plural}/${encodeURIComponent(id)}`;
  const grouping = useLoaded<GroupingView>(base, version);
  const members = usePaged<Member>(`${base}/${paths.member}`, version);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const name = grouping.state === 'ok' ? grouping.data.name : null;

  useEffect(() => {
    if (name) document.title = `${name} · ${t('app.name')}`;
  }, [name, t]);

  const back = (
    <p className="back">
      <Link href={`/${paths.plural}`}>
        {t(kind === 'list' ? 'groupings.backLists' : 'groupings.backTags')}
      </Link>
    </p>
  );
  if (grouping.state === 'loading' && version === 0)
    return (
      <p role="status" className="loading">
        {t('app.loading')}
      </p>
    );
  if (grouping.state === 'error')
    return (
      <div className="organizing">
        {back}
        <h1>{t('notFound.title')}</h1>
        <p role="alert">{failure(grouping.error, t('app.offline'))}</p>
      </div>
    );

  const changed = (message: string) => {
    setNotice(message);
    setError(null);
    setVersion((v) => v + 1);
  };
  const remove = async (member: Member) => {
    const who = refName(member.person) ?? t('person.noName');
    try {
      await api('DELETE', `${base}/${paths.member}/${encodeURIComponent(member.id)}`);
      changed(t('groupings.removed', { name: who }));
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    }
  };

  return (
    <div className="organizing">
      {back}
      {grouping.state === 'ok' && (
        <GroupingHeading
          kind={kind}
          grouping={grouping.data}
          mayWrite={mayWrite}
          onRenamed={() => changed(t('groupings.renamed'))}
        />
      )}
      {mayWrite && (
        <AddMember
          kind={kind}
          groupingId={id}
          onAdded={(who) => changed(t('groupings.added', { name: who.name ?? t('person.noName') }))}
        />
      )}
      <div role="status" aria-live="polite">
        {notice && <p className="notice">{notice}</p>}
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <section aria-labelledby="members-heading">
        <h2 id="members-heading">{t('groupings.people')}</h2>
        <p className="count">
          {members.total === null ? t('app.loading') : tn('groupings.members', members.total)}
        </p>
        {members.error !== null && (
          <p className="error" role="alert">
            {t('app.error', { detail: failure(members.error, t('app.offline')) })}
          </p>
        )}
        {members.items.length > 0 && (
          <ul className="people members">
            {members.items.map((member) => {
              const who = refName(member.person) ?? t('person.noName');
              return (
                <li key={member.id}>
                  <Link href={`/people/${member.person_id}`} className="person-link">
                    {who}
                  </Link>
                  {mayWrite && (
                    <button
                      type="button"
                      className="secondary"
                      aria-label={t('groupings.removeNamed', { name: who })}
                      onClick={() => remove(member)}
                    >
                      {t('groupings.remove')}
                    </button>
                  )}
                </li>
              );
            })}
          </ul>
        )}
        {members.total !== null && members.items.length < members.total && (
          <button type="button" className="secondary" onClick={members.more}>
            {t('person.more')}
          </button>
        )}
      </section>
    </div>
  );
}

function GroupingHeading(props: {
  kind: GroupingKind;
  grouping: GroupingView;
  mayWrite: boolean;
  onRenamed: () => void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [editing, setEditing] = useState(false);
  const [name, setName] = useState(props.grouping.name);
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!name.trim()) return setError(t('groupings.needName'));
    try {
      await api(
        'PATCH',
        `/api/v1/${GROUPING_PATHS[props.kind].plural}/${encodeURIComponent(props.grouping.id)}`,
        { name: name.trim() },
      );
      setEditing(false);
      setError(null);
      props.onRenamed();
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    }
  };
  if (!editing)
    return (
      <>
        <div className="title-row">
          <h1>{props.grouping.name}</h1>
          {props.mayWrite && (
            <button
              type="button"
              className="secondary"
              onClick={() => {
                setName(props.grouping.name);
                setEditing(true);
              }}
            >
              {t('groupings.rename')}
            </button>
          )}
        </div>
        {props.grouping.description && <p>{props.grouping.description}</p>}
      </>
    );
  return (
    <form className="inline-form" onSubmit={submit} noValidate>
      <div className="field grow">
        <label htmlFor={`${id}-name`}>{t('groupings.name')}</label>
        {/* biome-ignore lint/a11y/noAutofocus: the user asked to rename */}
        <input id={`${id}-name`} value={name} onChange={(e) => setName(e.target.value)} autoFocus />
      </div>
      <div className="actions">
        <button type="submit">{t('groupings.save')}</button>
        <button type="button" className="secondary" onClick={() => setEditing(false)}>
          {t('oneOnOne.cancel')}
        </button>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}

function AddMember(props: { kind: GroupingKind; groupingId: string; onAdded: (who: Picked) => void }) {
  const { t } = useI18n();
  const [who, setWho] = useState<Picked | null>(null);
  const [error, setError] = useState<string | null>(null);
  const paths = GROUPING_PATHS[props.kind];
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!who) return setError(t('oneOnOne.needWho'));
    try {
      await api('POST', `/api/v1/${paths.plural}/${encodeURIComponent(props.groupingId)}/${paths.member}`, {
        person_id: who.id,
      });
      setWho(null);
      setError(null);
      props.onAdded(who);
    } catch (caught) {
      setError(failure(caught, t('app.offline')));
    }
  };
  return (
    <form className="card add-member" onSubmit={submit} noValidate>
      <PersonPicker label={t('groupings.addPerson')} value={who} onChange={setWho} />
      <button type="submit" disabled={!who}>
        {t('groupings.add')}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </form>
  );
}
